import { tlsServerOptions, validateServerTls } from "./server-tls-options.js";

describe("validateServerTls", () => {
  it("needs a key and a certificate, naming the missing one", () => {
    expect(() => validateServerTls({ cert: "c" } as never)).toThrow(/^tls\.key: must be a non-empty PEM/);
    expect(() => validateServerTls({ key: "k", cert: [] } as never)).toThrow(/^tls\.cert: must be a non-empty PEM/);
  });
  it("needs a CA for client certificates unless unverified clients are let in", () => {
    expect(() => validateServerTls({ key: "k", cert: "c", requestCert: true })).toThrow(/^tls\.ca: required with tls\.requestCert/);
    expect(() => validateServerTls({ key: "k", cert: "c", requestCert: true, rejectUnauthorized: false })).not.toThrow();
    expect(() => validateServerTls({ key: "k", cert: "c", ca: "a", requestCert: true })).not.toThrow();
  });
  it("names the accepted TLS versions", () => {
    expect(() => validateServerTls({ key: "k", cert: "c", minVersion: "TLSv1" })).toThrow(/^tls\.minVersion: .*accepted: TLSv1\.2, TLSv1\.3/);
  });
});

describe("tlsServerOptions", () => {
  it("offers the ALPN protocols given, TLS 1.2 at least, the handshake timeout, and verifies clients only when asked", () => {
    const plain = tlsServerOptions({ key: "k", cert: "c" }, ["h2", "http/1.1"], 5000);
    expect(plain).toMatchObject({ ALPNProtocols: ["h2", "http/1.1"], minVersion: "TLSv1.2", handshakeTimeout: 5000, requestCert: false, rejectUnauthorized: false });
    const mutual = tlsServerOptions({ key: "k", cert: "c", ca: "a", requestCert: true }, ["h2"], 5000);
    expect(mutual).toMatchObject({ requestCert: true, rejectUnauthorized: true, ca: "a" });
  });
});

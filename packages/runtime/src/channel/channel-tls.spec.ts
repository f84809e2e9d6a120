import { validateChannelTls } from "./channel-tls.js";
import { validateChannelOptions } from "./channel-options.js";

describe("validateChannelTls", () => {
  it("accepts true, an empty object and a full mutual-TLS setting", () => {
    expect(() => validateChannelTls(true, undefined)).not.toThrow();
    expect(() => validateChannelTls({}, "inventory.internal:8443")).not.toThrow();
    expect(() => validateChannelTls({ ca: "pem", cert: ["a", Buffer.from("b")], key: "k", servername: "x", handshakeTimeoutMs: 500 }, undefined)).not.toThrow();
  });
  it("names the field and what it accepts", () => {
    expect(() => validateChannelTls({ cert: "c" }, undefined)).toThrow(/^tls\.cert and tls\.key: give both/);
    expect(() => validateChannelTls({ ca: "" }, undefined)).toThrow(/^tls\.ca: must be a non-empty PEM/);
    expect(() => validateChannelTls({ servername: "" }, undefined)).toThrow(/^tls\.servername:/);
    expect(() => validateChannelTls({ handshakeTimeoutMs: 0 }, undefined)).toThrow(/^tls\.handshakeTimeoutMs: must be a finite number > 0/);
    expect(() => validateChannelTls({ rejectUnauthorized: "no" as never }, undefined)).toThrow(/^tls\.rejectUnauthorized:/);
    expect(() => validateChannelTls("yes" as never, undefined)).toThrow(/^tls: must be true or an object/);
    expect(() => validateChannelTls(undefined, "https://x/")).toThrow(/^authority: must be a host\[:port\]/);
  });
  it("createChannel's validation checks tls, authority and credentials", () => {
    expect(() => validateChannelOptions({ target: "static:///127.0.0.1:1", tls: { key: "k" } })).toThrow(/^tls\.cert and tls\.key/);
    expect(() => validateChannelOptions({ target: "static:///127.0.0.1:1", credentials: "Bearer x" as never })).toThrow(/^credentials: must be a function/);
  });
});

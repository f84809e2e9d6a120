// Certificate rotation: server.setSecureContext swaps the key pair while calls run; connections
// made afterwards present the new certificate, calls on the old ones go on, and no call is lost.
import * as tls from "node:tls";
import { X509Certificate } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { createChannel, serve, type Server } from "@sluice/runtime";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { registerEcho } from "../fast-path/echo-service.js";
import { testPki } from "../support/certificates.js";

const pki = testPki();

/** The SHA-256 fingerprint of the certificate a fresh TLS connection to `port` is shown. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, ca: pki.ca, ALPNProtocols: ["h2"] }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.on("error", reject);
  });
}

describe("certificate rotation", () => {
  let server: Server;
  beforeAll(async () => {
    server = await serve({ host: "127.0.0.1", shutdownGraceMs: 200, tls: pki.server, routes: (r) => registerEcho(r) });
  });
  afterAll(() => server.close());

  it("setSecureContext under load: new connections get the new certificate and no call fails", async () => {
    const before = new X509Certificate(pki.server.cert).fingerprint256;
    const after = new X509Certificate(pki.rotatedServer.cert).fingerprint256;
    expect(await servedFingerprint(server.port)).toBe(before);

    const target = `static:///127.0.0.1:${server.port}`;
    const oldChannel = createChannel({ target, tls: { ca: pki.ca } });
    const oldClient = createClient(EchoService, oldChannel);
    const total = 800;
    let started = 0;
    let completed = 0;
    const failures: unknown[] = [];
    const worker = async (): Promise<void> => {
      while (started < total) {
        started++;
        await oldClient.echo({ text: "load", delayMs: 1 }).then(
          () => completed++,
          (error: unknown) => failures.push(error),
        );
      }
    };
    const deadline = Date.now() + 20_000;
    const workers = Array.from({ length: 16 }, worker);
    while (completed < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));

    server.setSecureContext(pki.rotatedServer);
    expect(await servedFingerprint(server.port)).toBe(after);
    // A channel that connects after the rotation is served too, while the old connection keeps working.
    const newChannel = createChannel({ target, tls: { ca: pki.ca } });
    try {
      const newClient = createClient(EchoService, newChannel);
      for (let i = 0; i < 50; i++) expect((await newClient.echo({ text: `new-${i}` })).text).toBe(`new-${i}`);
      await Promise.all(workers);
      expect(failures).toEqual([]);
      expect(completed).toBe(total);
      expect(oldChannel.stats().endpoints[0]?.connectionLosses).toBe(0);
    } finally {
      await newChannel.close();
      await oldChannel.close();
    }
  });

  it("rejects a rotation without a key, naming the field, and keeps serving the current certificate", async () => {
    expect(() => server.setSecureContext({ cert: pki.server.cert } as never)).toThrow(/setSecureContext\.key: must be a non-empty PEM/);
    expect(await servedFingerprint(server.port)).toBe(new X509Certificate(pki.rotatedServer.cert).fingerprint256);
  });

  it("setSecureContext on an h2c server throws saying it has no TLS", async () => {
    const h2c = await serve({ host: "127.0.0.1", routes: (r) => registerEcho(r) });
    try {
      expect(() => h2c.setSecureContext(pki.server)).toThrow(/started without tls/);
    } finally {
      await h2c.close();
    }
  });
});

// Handshakes: a TLS handshake (or, on h2c with HTTP/1.1, a first request) that does not come in
// time is dropped; plaintext to a TLS port and TLS to an h2c port fail with a clear error on the
// client and leave no connection behind on the server.
import * as net from "node:net";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createChannel, serve, type Server, type ServeOptions, type TransportImplementation } from "@sluice/runtime";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { registerEcho } from "../fast-path/echo-service.js";
import { testPki } from "../support/certificates.js";
import { eventually } from "../support/inventory.js";

const pki = testPki();
const tlsOptions = { key: pki.server.key, cert: pki.server.cert };

const start = (options: Partial<ServeOptions>): Promise<Server> =>
  serve({ host: "127.0.0.1", shutdownGraceMs: 200, routes: (r) => registerEcho(r), ...options });

const openConnections = (server: Server): Promise<number> =>
  new Promise((resolve, reject) => server.listener.getConnections((error, count) => (error ? reject(error) : resolve(count))));

/** Waits up to 2 s for the server to hold no connection; returns how many it still holds. */
async function settledConnections(server: Server): Promise<number> {
  const deadline = Date.now() + 2_000;
  let count = await openConnections(server);
  while (count > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    count = await openConnections(server);
  }
  return count;
}

describe.each<[string, Partial<ServeOptions>]>([
  ["a TLS server", { tls: tlsOptions }],
  ["an h2c server with allowHttp1", { allowHttp1: true }],
])("a silent connection to %s", (_name, options) => {
  let server: Server;
  beforeAll(async () => {
    server = await start({ ...options, handshakeTimeoutMs: 300 });
  });
  afterAll(() => server.close());

  it("is dropped after handshakeTimeoutMs", async () => {
    const socket = net.connect(server.port, "127.0.0.1");
    socket.on("error", () => {});
    socket.resume();
    await new Promise((resolve) => socket.once("connect", resolve));
    const opened = performance.now();
    await eventually(() => socket.destroyed || socket.readableEnded, 5_000, "the server to drop the silent connection");
    const heldMs = performance.now() - opened;
    expect(heldMs).toBeGreaterThanOrEqual(250);
    expect(heldMs).toBeLessThan(3_000);
    expect(await settledConnections(server)).toBe(0);
  });
});

describe.each<TransportImplementation>(["sluice", "connect-node"])("mismatched security, %s client", (implementation) => {
  let tlsServer: Server;
  let h2cServer: Server;
  let sessions = 0;
  beforeAll(async () => {
    tlsServer = await start({ tls: tlsOptions });
    h2cServer = await start({});
    for (const s of [tlsServer, h2cServer]) s.http2Server.on("session", () => sessions++);
  });
  afterAll(async () => {
    await tlsServer.close();
    await h2cServer.close();
  });

  const callOnce = async (server: Server, tls: boolean) => {
    const channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, tls: tls ? { ca: pki.ca } : undefined, transport: implementation });
    try {
      return ConnectError.from(await createClient(EchoService, channel).echo({ text: "x" }).catch((e: unknown) => e));
    } finally {
      await channel.close();
    }
  };

  it("plaintext to a TLS port: UNAVAILABLE on the client, no session and no connection left on the server", async () => {
    const before = sessions;
    const error = await callOnce(tlsServer, false);
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toMatch(/127\.0\.0\.1:\d+ .*does it expect TLS\?/);
    expect(sessions).toBe(before);
    expect(await settledConnections(tlsServer)).toBe(0);
  });

  it("TLS to an h2c port: UNAVAILABLE saying the server does not speak TLS, nothing left on the server", async () => {
    const error = await callOnce(h2cServer, true);
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toMatch(/does not speak TLS/);
    expect(await settledConnections(h2cServer)).toBe(0);
  });
});

// End to end over TLS: all four RPC shapes from a Sluice channel to serve({ tls }), on both client
// transports and both server transports, with SNI and certificate checks against the target's host
// name (not the resolved IP) and an overridden :authority.
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createChannel, serve, type Channel, type Protocol, type Server, type TransportImplementation } from "@sluice/runtime";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { registerEcho } from "../fast-path/echo-service.js";
import { manualResolver } from "../support/manual-resolver.js";
import { testPki } from "../support/certificates.js";

async function* from<T>(items: readonly T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

const pki = testPki();

describe.each<[TransportImplementation, "sluice" | "connect-node", Protocol]>([
  ["sluice", "sluice", "grpc"],
  ["connect-node", "sluice", "grpc"],
  ["sluice", "connect-node", "grpc"],
  ["sluice", "sluice", "connect"],
  ["connect-node", "sluice", "grpc-web"],
])("TLS, %s client → %s server, %s", (implementation, serverTransport, protocol) => {
  let server: Server;
  let channel: Channel;
  let client: Client<typeof EchoService>;
  let authorities: string[];

  beforeAll(async () => {
    authorities = [];
    server = await serve({
      host: "127.0.0.1",
      shutdownGraceMs: 200,
      transport: serverTransport,
      tls: { key: pki.server.key, cert: pki.server.cert },
      routes: (router) => registerEcho(router),
    });
    server.http2Server.on("stream", (_stream, headers) => authorities.push(String(headers[":authority"])));
    channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, tls: { ca: pki.ca }, transport: implementation, protocol });
    client = createClient(EchoService, channel);
  });
  afterAll(async () => {
    await channel.close();
    await server.close();
  });

  it("serves https and says so in its url", () => {
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
  });

  it("unary, with the error code and message of a failed call", async () => {
    expect((await client.echo({ text: "hi" })).text).toBe("hi");
    const error = await client.echo({ text: "no", failCode: Code.FailedPrecondition }).catch((e: unknown) => e);
    expect(ConnectError.from(error).code).toBe(Code.FailedPrecondition);
  });

  it("server streaming, client streaming and bidi (gRPC-Web: server streaming only here)", async () => {
    const indexes: number[] = [];
    for await (const r of client.serverStream({ text: "s", count: 5 })) indexes.push(r.index);
    expect(indexes).toEqual([0, 1, 2, 3, 4]);
    if (protocol === "grpc-web") return;
    expect((await client.clientStream(from([{ text: "a" }, { text: "b" }]))).text).toBe("a,b");
    const texts: string[] = [];
    for await (const r of client.bidi(from([{ text: "x" }, { text: "y" }]))) texts.push(r.text);
    expect(texts).toEqual(["x", "y"]);
  });

  it("sends the address as :authority for an IP target", () => {
    expect(new Set(authorities)).toEqual(new Set([`127.0.0.1:${server.port}`]));
  });
});

describe("TLS server name and :authority", () => {
  let server: Server;
  let authorities: string[];
  beforeAll(async () => {
    authorities = [];
    server = await serve({ host: "127.0.0.1", shutdownGraceMs: 200, tls: { key: pki.server.key, cert: pki.server.cert }, routes: (r) => registerEcho(r) });
    server.http2Server.on("stream", (_stream, headers) => authorities.push(String(headers[":authority"])));
  });
  afterAll(() => server.close());

  it.each<TransportImplementation>(["sluice", "connect-node"])(
    "%s: checks the certificate against the resolver's host name, not the IP it dials, and sends that name as :authority",
    async (implementation) => {
      authorities.length = 0;
      // The resolver reports the IP it resolved and the logical name; the certificate names only inventory.test.
      const named = await serve({ host: "127.0.0.1", tls: pki.namedServer, routes: (r) => registerEcho(r) });
      named.http2Server.on("stream", (_stream, headers) => authorities.push(String(headers[":authority"])));
      const resolver = manualResolver();
      const channel = createChannel({ target: "manual:///inventory.test", resolver, tls: { ca: pki.ca }, transport: implementation });
      resolver.push([{ address: `127.0.0.1:${named.port}`, hostname: "inventory.test" }]);
      try {
        expect((await createClient(EchoService, channel).echo({ text: "named" })).text).toBe("named");
        expect(authorities).toEqual([`inventory.test:${named.port}`]);
      } finally {
        await channel.close();
        await named.close();
      }
    },
  );

  it.each<TransportImplementation>(["sluice", "connect-node"])("%s: the authority option overrides :authority", async (implementation) => {
    authorities.length = 0;
    const channel = createChannel({
      target: `static:///127.0.0.1:${server.port}`,
      tls: { ca: pki.ca, servername: "localhost" },
      authority: "inventory.example:443",
      transport: implementation,
    });
    try {
      expect((await createClient(EchoService, channel).echo({ text: "auth" })).text).toBe("auth");
      expect(authorities).toEqual(["inventory.example:443"]);
    } finally {
      await channel.close();
    }
  });

  it.each<TransportImplementation>(["sluice", "connect-node"])(
    "%s: a server name the certificate does not list fails with UNAVAILABLE naming the mismatch",
    async (implementation) => {
      const channel = createChannel({
        target: `static:///127.0.0.1:${server.port}`,
        tls: { ca: pki.ca, servername: "payments.test" },
        transport: implementation,
      });
      try {
        const error = ConnectError.from(await createClient(EchoService, channel).echo({ text: "x" }).catch((e: unknown) => e));
        expect(error.code).toBe(Code.Unavailable);
        expect(error.rawMessage).toMatch(/as "payments\.test" failed: .*does not match certificate's altnames/);
        expect(authorities).not.toContain(`payments.test:${server.port}`);
      } finally {
        await channel.close();
      }
    },
  );

  it("a server whose CA the channel does not trust fails with UNAVAILABLE naming the certificate problem", async () => {
    const channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, tls: { ca: pki.otherCa } });
    try {
      const error = ConnectError.from(await createClient(EchoService, channel).echo({ text: "x" }).catch((e: unknown) => e));
      expect(error.code).toBe(Code.Unavailable);
      expect(error.rawMessage).toMatch(/TLS connection to 127\.0\.0\.1:\d+ as "127\.0\.0\.1" failed: .*(unable to verify|self.signed|issuer)/i);
    } finally {
      await channel.close();
    }
  });
});

// Call credentials end to end over TLS: a channel's credentials provider (sync, async, refreshed
// token) signs every attempt; the server's auth interceptor checks them and hands the identity to
// the handler; a failing provider fails the call with UNAUTHENTICATED and nothing reaches the server.
import { Code, ConnectError, createClient, type HandlerContext } from "@connectrpc/connect";
import {
  callerIdentityKey,
  createAuthInterceptor,
  createChannel,
  createTokenCredentials,
  serve,
  type CallCredentials,
  type Server,
  type TransportImplementation,
} from "@sluice/runtime";
import { EchoService, type EchoRequest } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { echoImpl } from "../fast-path/echo-service.js";
import { testPki } from "../support/certificates.js";

const pki = testPki();
/** Tokens the server accepts, and whom they stand for. */
const tokens = new Map([
  ["tok-1", "alice"],
  ["tok-2", "alice"],
  ["static-key", "batch-job"],
]);

describe.each<TransportImplementation>(["sluice", "connect-node"])("call credentials, %s client", (implementation) => {
  let server: Server;
  let streams = 0;
  let tokensSeen: string[];
  beforeAll(async () => {
    tokensSeen = [];
    server = await serve({
      host: "127.0.0.1",
      shutdownGraceMs: 200,
      tls: pki.server,
      interceptors: [
        createAuthInterceptor({
          authenticate: ({ bearerToken }) => {
            if (bearerToken !== undefined) tokensSeen.push(bearerToken);
            return tokens.get(bearerToken ?? "");
          },
        }),
      ],
      routes: (router) =>
        router.service(EchoService, {
          ...echoImpl(),
          echo: (_request: EchoRequest, context: HandlerContext) => ({ text: String(context.values.get(callerIdentityKey)) }),
        }),
    });
    server.http2Server.on("stream", () => streams++);
  });
  afterAll(() => server.close());

  const channelWith = (credentials?: CallCredentials) =>
    createChannel({ target: `static:///127.0.0.1:${server.port}`, tls: { ca: pki.ca }, transport: implementation, credentials });

  const echo = async (credentials?: CallCredentials) => {
    const channel = channelWith(credentials);
    try {
      return await createClient(EchoService, channel).echo({ text: "x" });
    } finally {
      await channel.close();
    }
  };

  it("a synchronous provider's header reaches the server, whose interceptor gives the handler the identity", async () => {
    expect((await echo(() => ({ authorization: "Bearer static-key" }))).text).toBe("batch-job");
  });

  it("a call without credentials is refused by the server with UNAUTHENTICATED", async () => {
    const error = ConnectError.from(await echo().catch((e: unknown) => e));
    expect(error.code).toBe(Code.Unauthenticated);
  });

  it("a token provider: one fetch for many calls, a new token once the old one is near expiry", async () => {
    const clock = { now: 0 };
    let fetches = 0;
    const credentials = createTokenCredentials({
      fetchToken: async () => ({ token: `tok-${++fetches}`, expiresAtMs: clock.now + 60_000 }),
      refreshBeforeMs: 10_000,
      now: () => clock.now,
    });
    const channel = channelWith(credentials);
    try {
      const client = createClient(EchoService, channel);
      tokensSeen.length = 0;
      for (let i = 0; i < 5; i++) expect((await client.echo({ text: "x" })).text).toBe("alice");
      clock.now = 60_000; // expired: the next call waits for a fresh token
      expect((await client.echo({ text: "x" })).text).toBe("alice");
      expect(tokensSeen).toEqual(["tok-1", "tok-1", "tok-1", "tok-1", "tok-1", "tok-2"]);
      expect(fetches).toBe(2);
    } finally {
      await channel.close();
    }
  });

  it.each<[string, CallCredentials]>([
    ["throws", () => {
      throw new Error("no token cached");
    }],
    ["rejects", async () => Promise.reject(new Error("token endpoint down"))],
  ])("a provider that %s fails the call with UNAUTHENTICATED and no request reaches the server", async (_what, credentials) => {
    const channel = channelWith(credentials);
    try {
      await channel.waitForReady(5_000);
      const before = streams;
      const error = ConnectError.from(await createClient(EchoService, channel).echo({ text: "x" }).catch((e: unknown) => e));
      expect(error.code).toBe(Code.Unauthenticated);
      expect(error.rawMessage).toMatch(/^call credentials failed: (no token cached|token endpoint down)$/);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(streams).toBe(before);
    } finally {
      await channel.close();
    }
  });
});

describe("auth interceptor with the mTLS peer", () => {
  it("authenticates by the client certificate's subject", async () => {
    const server = await serve({
      host: "127.0.0.1",
      tls: { ...pki.server, ca: pki.ca, requestCert: true },
      interceptors: [createAuthInterceptor({ authenticate: ({ peer }) => (peer?.subject.CN === "billing" ? "billing-service" : undefined) })],
      routes: (router) =>
        router.service(EchoService, { ...echoImpl(), echo: (_r: EchoRequest, context: HandlerContext) => ({ text: String(context.values.get(callerIdentityKey)) }) }),
    });
    const channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, tls: { ca: pki.ca, ...pki.client } });
    try {
      expect((await createClient(EchoService, channel).echo({ text: "x" })).text).toBe("billing-service");
    } finally {
      await channel.close();
      await server.close();
    }
  });
});

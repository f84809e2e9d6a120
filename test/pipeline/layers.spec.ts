// The call pipeline: call-level interceptors run once per logical call before any pick, method
// layers read the call's policy from its context, and a call no server processed (a refused
// stream) is sent again to another endpoint — for unary and server-streaming calls alike.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { Interceptor } from "@connectrpc/connect";
import {
  createChannel,
  createPolicyClient,
  methodPolicyContext,
  serve,
  type MethodPolicy,
  type PolicyTable,
  type Server,
  type TransportImplementation,
  type TransportLayer,
} from "@sluice/runtime";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { registerEcho } from "../fast-path/echo-service.js";

const policies = { echo: { idempotency: "no-side-effects", timeoutMs: 1234 } } as unknown as PolicyTable<typeof EchoService>;

/** An HTTP/2 server that refuses every stream with RST_STREAM REFUSED_STREAM. */
async function refusingServer(): Promise<{ port: number; refused: () => number; close: () => Promise<void> }> {
  let refused = 0;
  const server = http2.createServer();
  server.on("stream", (stream) => {
    refused++;
    stream.on("error", () => {}); // node reports its own reset as an error on the stream
    stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => {
    sessions.add(s);
    s.once("close", () => sessions.delete(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("call pipeline", () => {
  let server: Server;
  beforeAll(async () => {
    server = await serve({ host: "127.0.0.1", routes: (r) => registerEcho(r) });
  });
  afterAll(() => server.close());

  it("runs call-level interceptors once per call, before the pick, and per-endpoint ones per attempt", async () => {
    const callLevel: string[] = [];
    const attemptLevel: string[] = [];
    const addHeader: Interceptor = (next) => async (req) => {
      callLevel.push(req.method.name);
      req.header.set("x-test-from-call-level", "yes");
      return next(req);
    };
    const seeHeader: Interceptor = (next) => async (req) => {
      attemptLevel.push(req.header.get("x-test-from-call-level") ?? "missing");
      return next(req);
    };
    const channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, transport: { interceptors: [seeHeader] } });
    try {
      const client = createPolicyClient(EchoService, channel, policies, undefined, { interceptors: [addHeader] });
      let echoed: string | null = null;
      await client.echo({ text: "a" }, { onHeader: (h) => (echoed = h.get("x-test-from-call-level-echo")) });
      for await (const _ of client.serverStream({ text: "s", count: 2 }));
      expect(callLevel).toEqual(["Echo", "ServerStream"]);
      expect(attemptLevel).toEqual(["yes", "yes"]);
      expect(echoed).toBe("yes");
    } finally {
      await channel.close(100);
    }
  });

  it("gives each method layer the call's policy through its context, and applies the default deadline below it", async () => {
    const seen: (MethodPolicy<unknown> | undefined)[] = [];
    const timeouts: (number | undefined)[] = [];
    const spy: TransportLayer = (next) => ({
      unary(method, signal, timeoutMs, header, input, contextValues) {
        seen.push(contextValues?.get(methodPolicyContext));
        return next.unary(method, signal, timeoutMs, header, input, contextValues);
      },
      stream: (...args) => next.stream(...args),
    });
    const below: TransportLayer = (next) => ({
      unary(method, signal, timeoutMs, header, input, contextValues) {
        timeouts.push(timeoutMs);
        return next.unary(method, signal, timeoutMs, header, input, contextValues);
      },
      stream: (...args) => next.stream(...args),
    });
    const channel = createChannel({ target: `static:///127.0.0.1:${server.port}` });
    try {
      // The defaults layer sits below the given layers: wrap the channel to see what reaches it.
      const client = createPolicyClient(EchoService, below(channel), policies, undefined, { layers: [spy] });
      await client.echo({ text: "p" });
      await client.echo({ text: "p" }, { timeoutMs: 50 });
      expect(seen.map((p) => p?.timeoutMs)).toEqual([1234, 1234]);
      expect(timeouts).toEqual([1234, 50]);
    } finally {
      await channel.close(100);
    }
  });

  describe.each<TransportImplementation>(["sluice", "connect-node"])("client transport %s", (implementation) => {
    it("sends a call a server refused to another endpoint, unary and server streaming", async () => {
      const refuser = await refusingServer();
      const channel = createChannel({
        target: `static:///127.0.0.1:${refuser.port},127.0.0.1:${server.port}`,
        balancer: "round-robin",
        transport: implementation,
        outlierDetection: false,
      });
      try {
        await channel.waitForReady({ endpoints: "all", timeoutMs: 5000 });
        const client = createPolicyClient(EchoService, channel, policies);
        for (let i = 0; i < 10; i++) expect((await client.echo({ text: `u${i}` })).text).toBe(`u${i}`);
        for (let i = 0; i < 4; i++) {
          const texts: string[] = [];
          for await (const m of client.serverStream({ text: `s${i}`, count: 2 })) texts.push(m.text);
          expect(texts).toEqual([`s${i}`, `s${i}`]);
        }
        expect(refuser.refused()).toBeGreaterThan(0);
        expect(channel.stats().transparentRetries).toBeGreaterThan(0);
      } finally {
        await channel.close(100);
        await refuser.close();
      }
    });
  });
});

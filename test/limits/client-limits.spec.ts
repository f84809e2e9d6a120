// The client side of limits: servers' load reports reach the channel and move the load-report
// picker's weights within about a second, and a per-endpoint concurrency limit sheds or queues
// calls on the client before they reach an overloaded endpoint.
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { createChannel, createPolicyClient, isShedAtCaller, serve, type Channel, type PolicyTable, type Server } from "@sluice/runtime";
import { EchoService, type EchoRequest } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { echoImpl } from "../fast-path/echo-service.js";

const policies = {} as PolicyTable<typeof EchoService>;

/** A server whose echo takes `state.delayMs`; counts calls; attaches load reports (200 ms window). */
async function server(name: string, state: { delayMs: number }, counts: Map<string, number>): Promise<Server> {
  const base = echoImpl();
  return serve({
    host: "127.0.0.1",
    limits: { concurrency: { algorithm: "fixed", limit: 32 }, loadReport: { windowMs: 200 } },
    routes: (router) =>
      router.service(EchoService, {
        ...base,
        async echo(request: EchoRequest, context: HandlerContext) {
          counts.set(name, (counts.get(name) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, state.delayMs));
          return base.echo(request, context);
        },
      }),
  });
}

async function load(channel: Channel, ms: number, concurrency = 8): Promise<void> {
  const client = createPolicyClient(EchoService, channel, policies);
  const until = Date.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) await client.echo({ text: "l" });
    }),
  );
}

describe("client-side limits and load reports", () => {
  it("load reports reach the client and move the load-report picker's weights within a second of a change", async () => {
    const counts = new Map<string, number>();
    const a = { delayMs: 2 };
    const b = { delayMs: 2 };
    const servers = [await server("a", a, counts), await server("b", b, counts)];
    const [addrA, addrB] = servers.map((s) => `127.0.0.1:${s.port}`);
    const channel = createChannel({
      target: `static:///${addrA},${addrB}`,
      balancer: { policy: "load-report", weightUpdatePeriodMs: 200 },
      loadReports: { blackoutMs: 0 },
      outlierDetection: false,
    });
    try {
      await channel.waitForReady({ endpoints: "all", timeoutMs: 5000 });
      await load(channel, 1000);
      const weight = (address: string) => channel.stats().endpoints.find((e) => e.address === address)!.loadWeight;
      expect(weight(addrA!)).toBeGreaterThan(0);
      expect(weight(addrB!)).toBeGreaterThan(0);
      expect(channel.stats().endpoints.every((e) => e.loadReport !== undefined)).toBe(true);
      // b grows slow: its reports show higher utilization and fewer calls per second.
      b.delayMs = 100;
      await load(channel, 1000);
      expect(weight(addrA!)).toBeGreaterThan(2 * weight(addrB!));
      counts.clear();
      await load(channel, 500);
      expect((counts.get("a") ?? 0) / ((counts.get("a") ?? 0) + (counts.get("b") ?? 0))).toBeGreaterThan(0.65);
    } finally {
      await channel.close(500);
      await Promise.all(servers.map((s) => s.close()));
    }
  }, 30_000);

  it("a per-endpoint limit fails calls over it at once with RESOURCE_EXHAUSTED, and never sends them", async () => {
    const counts = new Map<string, number>();
    const servers = [await server("a", { delayMs: 200 }, counts), await server("b", { delayMs: 200 }, counts)];
    const channel = createChannel({
      target: `static:///${servers.map((s) => `127.0.0.1:${s.port}`).join(",")}`,
      endpointLimit: { algorithm: "fixed", limit: 2 },
    });
    try {
      await channel.waitForReady({ endpoints: "all", timeoutMs: 5000 });
      const client = createPolicyClient(EchoService, channel, policies);
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: 7 }, () =>
          client.echo({ text: "x" }).then(
            () => ({ code: undefined as Code | undefined, at: performance.now() - started }),
            (e: unknown) => ({ code: ConnectError.from(e).code, at: performance.now() - started }),
          ),
        ),
      );
      const shed = results.filter((r) => r.code === Code.ResourceExhausted);
      expect(results.filter((r) => r.code === undefined)).toHaveLength(4);
      expect(shed).toHaveLength(3);
      for (const r of shed) expect(r.at).toBeLessThan(100);
      expect((counts.get("a") ?? 0) + (counts.get("b") ?? 0)).toBe(4);
      expect(channel.stats().endpoints.map((e) => e.limit?.limit)).toEqual([2, 2]);
    } finally {
      await channel.close(500);
      await Promise.all(servers.map((s) => s.close()));
    }
  });

  it("a call shed at the caller is told from one the server shed, and carries no stack frames", async () => {
    const base = echoImpl();
    const backstop = await serve({
      host: "127.0.0.1",
      limits: { concurrency: { algorithm: "fixed", limit: 1 } },
      routes: (router) =>
        router.service(EchoService, {
          ...base,
          async echo(request: EchoRequest, context: HandlerContext) {
            await new Promise((r) => setTimeout(r, 200));
            return base.echo(request, context);
          },
        }),
    });
    const channel = createChannel({ target: `static:///127.0.0.1:${backstop.port}`, endpointLimit: { algorithm: "fixed", limit: 2 } });
    try {
      await channel.waitForReady(5000);
      const client = createPolicyClient(EchoService, channel, policies);
      // 1 is served, 2 passes the caller's limit of 2 and the server (limit 1) sheds it, 3 never leaves.
      const outcomes = await Promise.all(
        Array.from({ length: 3 }, () => client.echo({ text: "s" }).then(() => undefined, (e: unknown) => ConnectError.from(e))),
      );
      const [served, atServer, atCaller] = outcomes;
      expect(served).toBeUndefined();
      expect([atServer?.code, isShedAtCaller(atServer), atServer?.metadata.has("grpc-retry-pushback-ms")]).toEqual([Code.ResourceExhausted, false, true]);
      expect([atCaller?.code, isShedAtCaller(atCaller), atCaller?.metadata.has("grpc-retry-pushback-ms")]).toEqual([Code.ResourceExhausted, true, false]);
      expect(atCaller?.stack?.includes("\n    at ")).toBe(false);
    } finally {
      await channel.close(500);
      await backstop.close();
    }
  });

  it("bad endpointLimit settings throw when the channel is created, naming the field and the accepted values", () => {
    const target = "static:///127.0.0.1:1";
    expect(() => createChannel({ target, endpointLimit: { algorithm: "aimd", maxLimit: 0 } })).toThrow("endpointLimit.maxLimit: must be an integer >= 1, got 0");
    expect(() => createChannel({ target, endpointLimit: { algorithm: "gradient2", window: { windowSize: 2 } } })).toThrow(
      "endpointLimit.window.windowSize: must be an integer >= 10, got 2",
    );
    expect(() => createChannel({ target, endpointLimit: { algorithm: "tcp" } as never })).toThrow(
      "endpointLimit.algorithm: must be one of fixed, aimd, vegas, gradient2, envoy-gradient, got tcp",
    );
  });

  it("with a queue, calls over every endpoint's limit wait for a place (bounded) and all complete", async () => {
    const counts = new Map<string, number>();
    const servers = [await server("a", { delayMs: 50 }, counts)];
    const channel = createChannel({
      target: `static:///127.0.0.1:${servers[0]!.port}`,
      endpointLimit: { algorithm: "fixed", limit: 2, queue: { maxQueued: 4, timeoutMs: 5000 } },
    });
    try {
      await channel.waitForReady(5000);
      const client = createPolicyClient(EchoService, channel, policies);
      const codes = await Promise.all(
        Array.from({ length: 8 }, () => client.echo({ text: "q" }).then(() => "ok", (e: unknown) => Code[ConnectError.from(e).code])),
      );
      // 2 run, 4 wait in the queue, 2 are over the queue's bound.
      expect(codes.filter((c) => c === "ok")).toHaveLength(6);
      expect(codes.filter((c) => c === "ResourceExhausted")).toHaveLength(2);
    } finally {
      await channel.close(500);
      await Promise.all(servers.map((s) => s.close()));
    }
  });
});

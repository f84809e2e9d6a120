// Limits declared in the .proto ((sluice.v1.method).limit) end to end: codegen puts them in the
// policy table, registerXxx records them, serve() admits each method through its own limiter
// first and the server's limits after it, and server.limits reports every limiter.
import { Code, ConnectError } from "@connectrpc/connect";
import { createChannel, serve, type Channel, type Server, type ServeOptions, type ServerTransport } from "@sluice/runtime";
import { createLimitedServiceClient, LimitedServicePolicies, registerLimitedService, type LimitedServiceClient } from "./gen/limitstest/v1/limited_sluice.js";

const narrowPath = "/limitstest.v1.LimitedService/Narrow";
const widePath = "/limitstest.v1.LimitedService/Wide";
const meteredPath = "/limitstest.v1.LimitedService/Metered";

/** Each handler holds its call `holdMs` (or until the call ends). */
const hold = (request: { holdMs: number }, context: { signal: AbortSignal }) =>
  new Promise<{ heldMs: number }>((resolve) => {
    const timer = setTimeout(() => resolve({ heldMs: request.holdMs }), request.holdMs);
    context.signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
  });

/** The status of each settled call: "ok" or the ConnectError's code and message. */
async function outcomes(calls: readonly Promise<unknown>[]): Promise<string[]> {
  const settled = await Promise.allSettled(calls);
  return settled.map((s) => (s.status === "fulfilled" ? "ok" : `${Code[ConnectError.from(s.reason).code]}: ${ConnectError.from(s.reason).rawMessage}`));
}

const count = (list: readonly string[], value: string): number => list.filter((v) => v === value).length;

/** Polls `check` every 10 ms until it holds or `timeoutMs` passes (then fails naming `what`). */
async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** How long the overlapping calls are held: long enough that all of them reach the server on a loaded machine. */
const holdMs = 1000;

describe.each<ServerTransport>(["sluice", "connect-node"])("limits declared in the .proto on transport %s", (transport) => {
  let server: Server | undefined;
  let channel: Channel | undefined;
  let client: LimitedServiceClient;

  async function start(options: Partial<ServeOptions> = {}): Promise<void> {
    server = await serve({
      host: "127.0.0.1",
      shutdownGraceMs: 100,
      transport,
      routes: (router) => registerLimitedService(router, { narrow: hold, wide: hold, metered: hold }),
      ...options,
    });
    channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, protocol: "grpc" });
    client = createLimitedServiceClient(channel);
    await client.wide({ holdMs: 0 }); // connected: the calls below overlap on the server
  }

  afterEach(async () => {
    channel?.close();
    await server?.close();
    server = channel = undefined;
  });

  it("sheds a method over its small fixed limit with RESOURCE_EXHAUSTED while another method on the same server is not shed", async () => {
    await start();
    const narrow = Array.from({ length: 6 }, () => client.narrow({ holdMs }));
    const wide = Array.from({ length: 6 }, () => client.wide({ holdMs }));
    const methods = () => server!.limits?.methods ?? {};
    await until(() => methods()[narrowPath]?.shed === 4 && methods()[widePath]?.inFlight === 6, holdMs / 2, "every call at the server");
    // While the calls are held, the stats show each method's own limiter.
    expect(server!.limits?.methods[narrowPath]).toMatchObject({ algorithm: "fixed", limit: 2, inFlight: 2, queued: 0, shed: 4 });
    expect(server!.limits?.methods[widePath]).toMatchObject({ algorithm: "aimd", limit: 50, inFlight: 6, shed: 0 });
    expect(server!.limits).toMatchObject({ inFlight: 8, shed: 4 });
    const narrowOutcomes = await outcomes(narrow);
    expect(count(narrowOutcomes, "ok")).toBe(2);
    expect(count(narrowOutcomes, `ResourceExhausted: concurrency limit reached (${narrowPath})`)).toBe(4);
    expect(await outcomes(wide)).toEqual(Array(6).fill("ok"));
  });

  it("admits through the method's limiter first, then the server's", async () => {
    await start({ limits: { concurrency: { algorithm: "fixed", limit: 3 } } });
    const wide = await outcomes(Array.from({ length: 5 }, () => client.wide({ holdMs })));
    expect(count(wide, "ok")).toBe(3);
    expect(count(wide, "ResourceExhausted: concurrency limit reached (server)")).toBe(2);
    // Calls the server shed gave their method slot back: Wide's limiter holds nothing now.
    expect(server!.limits?.methods[widePath]).toMatchObject({ inFlight: 0, shed: 0, admitted: 6 });
    expect(server!.limits).toMatchObject({ algorithm: "fixed", limit: 3, shed: 2 });
  });

  it("lets serve()'s entry for the method replace the declared limit, and declaredLimits: false ignore them all", async () => {
    await start({ limits: { methods: { [narrowPath]: { concurrency: { algorithm: "fixed", limit: 4 } } } } });
    expect(count(await outcomes(Array.from({ length: 6 }, () => client.narrow({ holdMs }))), "ok")).toBe(4);
    await server!.close();
    channel!.close();
    await start({ limits: { declaredLimits: false } });
    expect(await outcomes(Array.from({ length: 6 }, () => client.narrow({ holdMs: 0 })))).toEqual(Array(6).fill("ok"));
    expect(server!.limits?.methods).toEqual({});
  });

  it("applies a declared rate: a burst of 3, then RESOURCE_EXHAUSTED naming the method", async () => {
    await start();
    // Every method limiter is reported before any call reaches it.
    expect(server!.limits?.methods[meteredPath]).toMatchObject({ algorithm: "gradient2", limit: 20, inFlight: 0, queued: 0, shed: 0 });
    const metered: string[] = [];
    for (let i = 0; i < 5; i++) metered.push(...(await outcomes([client.metered({ holdMs: 0 })])));
    expect(metered.slice(0, 3)).toEqual(["ok", "ok", "ok"]);
    expect(metered.slice(3)).toEqual(Array(2).fill(`ResourceExhausted: rate limit exceeded (${meteredPath})`));
    expect(server!.limits?.rateLimited).toBe(2);
  });
});

describe("the generated policy table", () => {
  it("carries each method's limit as serve() takes it: its own, else the service's default", () => {
    expect(LimitedServicePolicies.narrow.limit).toEqual({ concurrency: { algorithm: "fixed", limit: 2 } });
    expect(LimitedServicePolicies.wide.limit).toEqual({ concurrency: { algorithm: "aimd", initialLimit: 50, minLimit: 10, maxLimit: 100 } });
    expect(LimitedServicePolicies.metered.limit).toEqual({
      concurrency: { algorithm: "gradient2", maxLimit: 40, rttTolerance: 2, window: { minWindowMs: 200, maxWindowMs: 500 } },
      queue: { maxQueued: 4, timeoutMs: 50, order: "fifo" },
      rate: { rate: 1, burst: 3 },
    });
  });
});

import { Code } from "@connectrpc/connect";
import { createAdmissionController, type Admission, type AdmissionRequest } from "./admission-controller.js";
import type { ServerLimitsOptions } from "./admission-options.js";
import { outcomeOfCode } from "./install-admission.js";

describe("createAdmissionController", () => {
  let time = 0;
  const env = { now: () => time, random: () => 0 };
  beforeEach(() => {
    time = 0;
  });
  const request = (path = "/a.B/C", headers: Record<string, string> = {}, peer = "10.0.0.1"): AdmissionRequest => ({
    path,
    header: (name) => headers[name],
    peer,
  });
  const sync = (a: Admission | Promise<Admission>): Admission => {
    if ("then" in a) throw new Error("expected a synchronous decision");
    return a;
  };
  const make = (options: ServerLimitsOptions) => createAdmissionController(options, env);

  it("admits up to the server limit and sheds the rest with the configured code and a pushback from the latency EWMA", () => {
    const c = make({ concurrency: { algorithm: "fixed", limit: 1 }, shedCode: Code.Unavailable });
    const first = sync(c.admit(request()));
    expect(first.ticket).toBeDefined();
    time = 40;
    first.ticket!.finish("success", false);
    const second = sync(c.admit(request()));
    const third = sync(c.admit(request()));
    expect(second.ticket).toBeDefined();
    expect(third.shed).toEqual({ code: Code.Unavailable, message: "concurrency limit reached (server)", pushbackMs: 40 });
    expect(c.stats()).toMatchObject({ algorithm: "fixed", limit: 1, inFlight: 1, shed: 1, admitted: 2 });
  });

  it("applies a method's own limit before the server's, and releases the method slot when the server sheds", () => {
    const c = make({ concurrency: { algorithm: "fixed", limit: 1 }, methods: { "a.B": { concurrency: { algorithm: "fixed", limit: 1 } } } });
    const held = sync(c.admit(request("/x.Y/Z")));
    expect(held.ticket).toBeDefined();
    expect(sync(c.admit(request("/a.B/C"))).shed?.message).toBe("concurrency limit reached (server)");
    held.ticket!.finish("ignore", false);
    const a = sync(c.admit(request("/a.B/C")));
    expect(a.ticket).toBeDefined(); // the method slot was given back when the server shed
    expect(sync(c.admit(request("/a.B/D"))).shed?.message).toBe("concurrency limit reached (a.B)");
    expect(c.stats().methods["a.B"]).toMatchObject({ limit: 1, inFlight: 1, shed: 1 });
  });

  it("reports every method limiter from the start, a declared one with its queued calls, and lets limits.methods replace it", async () => {
    const declared = new Map([["/a.B/C", { concurrency: { algorithm: "fixed" as const, limit: 1 }, queue: { maxQueued: 2, timeoutMs: 1000 } }]]);
    const c = createAdmissionController({ concurrency: { algorithm: "fixed", limit: 10 } }, env, declared);
    expect(c.stats().methods).toEqual({ "/a.B/C": { algorithm: "fixed", limit: 1, inFlight: 0, queued: 0, shed: 0, admitted: 0 } });
    const first = await c.admit(request("/a.B/C"));
    const waiting = c.admit(request("/a.B/C"));
    expect(c.stats()).toMatchObject({ limit: 10, inFlight: 1, queued: 1, methods: { "/a.B/C": { limit: 1, inFlight: 1, queued: 1 } } });
    first.ticket!.finish("success", false);
    expect((await waiting).ticket).toBeDefined();
    const replaced = createAdmissionController({ methods: { "/a.B/C": { concurrency: { algorithm: "aimd" } } } }, env, declared);
    expect(replaced.stats().methods["/a.B/C"]).toMatchObject({ algorithm: "aimd", limit: 20 });
    expect(createAdmissionController({ declaredLimits: false }, env, declared).stats().methods).toEqual({});
  });

  it("rate-limits per caller key (header, else peer) with the time until the next token", () => {
    const c = make({ callerRate: { rate: 1, burst: 1, header: "x-caller" } });
    expect(sync(c.admit(request("/a.B/C", { "x-caller": "batch" }))).ticket).toBeDefined();
    expect(sync(c.admit(request("/a.B/C", { "x-caller": "batch" }))).shed).toEqual({
      code: Code.ResourceExhausted,
      message: "rate limit exceeded (caller)",
      pushbackMs: 1000,
    });
    expect(sync(c.admit(request("/a.B/C", { "x-caller": "web" }))).ticket).toBeDefined();
    expect(sync(c.admit(request("/a.B/C", {}, "10.0.0.9"))).ticket).toBeDefined();
    time = 500;
    expect(sync(c.admit(request("/a.B/C", {}, "10.0.0.9"))).shed?.pushbackMs).toBe(500);
    expect(c.stats().rateLimited).toBe(2);
  });

  it("partitions the server limit by a header so one caller group keeps its share", () => {
    const c = make({ concurrency: { algorithm: "fixed", limit: 10 }, partitions: { by: { header: "x-class" }, shares: { live: 0.5, batch: 0.5 } } });
    const batch = (): Admission => sync(c.admit(request("/a.B/C", { "x-class": "batch" })));
    const live = (): Admission => sync(c.admit(request("/a.B/C", { "x-class": "live" })));
    let batchIn = 0;
    for (let i = 0; i < 20; i++) if (batch().ticket !== undefined) batchIn++;
    let liveIn = 0;
    for (let i = 0; i < 20; i++) if (live().ticket !== undefined) liveIn++;
    expect([batchIn, liveIn]).toEqual([10, 5]);
  });

  it("waits in the queue when one is configured, and resolves when a slot frees", async () => {
    const c = make({ concurrency: { algorithm: "fixed", limit: 1 }, queue: { maxQueued: 1, timeoutMs: 1000 } });
    const first = await c.admit(request());
    const waiting = c.admit(request());
    expect(c.stats().queued).toBe(1);
    first.ticket!.finish("success", false);
    expect((await waiting).ticket).toBeDefined();
  });

  it("feeds the limit: a DEADLINE_EXCEEDED call is a drop, a cancelled one no sample", () => {
    expect([outcomeOfCode(0), outcomeOfCode(Code.Internal), outcomeOfCode(Code.DeadlineExceeded), outcomeOfCode(undefined)]).toEqual([
      "success",
      "success",
      "dropped",
      "ignore",
    ]);
    const c = make({ concurrency: { algorithm: "aimd", initialLimit: 30, maxLimit: 100 } });
    const tickets = Array.from({ length: 20 }, () => sync(c.admit(request())).ticket!);
    tickets[0]!.finish("dropped", true);
    expect(c.stats().limit).toBe(27);
  });

  it("reports load: utilization of the server limit (average in flight: qps × latency), qps and errors", () => {
    const c = make({ concurrency: { algorithm: "fixed", limit: 4 } });
    expect(c.loadReport()).toBe("util=0,qps=0,eps=0");
    sync(c.admit(request()));
    expect(c.loadReport()).toBe("util=0.25,qps=0,eps=0");
    const a = sync(c.admit(request())).ticket!;
    time = 10;
    a.finish("success", true);
    // 1 call/s × 10 ms ÷ limit 4 = 0.0025 calls in flight on average, per unit of the limit.
    expect(c.loadReport()).toBe("util=0.0025,qps=1,eps=1,lat_ms=10");
    expect(make({ loadReport: false }).loadReport()).toBeUndefined();
  });

  it("reuses a shed answer's load report within the same millisecond until a call ends or the calls in flight change", () => {
    let reads = 0;
    const counted = { now: () => (reads++, time), random: () => 0 };
    const c = createAdmissionController({ concurrency: { algorithm: "fixed", limit: 2 } }, counted);
    const a = sync(c.admit(request())).ticket!;
    time = 5;
    a.finish("success", false);
    const held = [sync(c.admit(request())).ticket!, sync(c.admit(request())).ticket!];
    expect(sync(c.admit(request())).shed).toBeDefined();
    const first = c.loadReport(true);
    expect(first).toBe("util=1,qps=1,eps=0,lat_ms=5");
    reads = 0;
    time = 5.9; // same millisecond, nothing changed: the cached text, one clock read for the check
    expect(c.loadReport(true)).toBe(first);
    expect(reads).toBe(1);
    held[0]!.finish("success", false); // a call ended (0.9 ms) and one fewer is in flight: computed again
    expect(c.loadReport(true)).toBe("util=0.5,qps=2,eps=0,lat_ms=4.59");
    time = 1200; // a later millisecond: computed again, and the calls have left the 1 s window
    expect(c.loadReport(true)).toBe("util=0.5,qps=0,eps=0,lat_ms=4.59");
    expect(c.loadReport()).toBe(c.loadReport()); // the ordinary report is unaffected
  });

  it("exempts health checks by default", () => {
    const c = make({});
    expect(c.exempt("/grpc.health.v1.Health/Check")).toBe(true);
    expect(c.exempt("/a.B/C")).toBe(false);
  });
});

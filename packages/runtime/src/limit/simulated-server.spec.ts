import { simulateOverload } from "./simulated-server.js";

// The overload bench's server (16 slots × 10 ms, answers up to 1.5 ms late as Node's timers are,
// 0.3 ms each way between limiter and handler) as a deterministic model: what each algorithm can
// reach there, whatever the machine the bench runs on. The goals at 2× and 4× are goodput
// ≥ 0.9× capacity and p99 of successes ≤ 2× the unloaded p99.
describe("the limits on a simulated capacity-bound server (16 slots × 10 ms) offered 2× and 4×", () => {
  const at = (multiple: number, limit: Parameters<typeof simulateOverload>[0]["limit"]) => simulateOverload({ multiple, limit });

  it.each([2, 4])("Envoy's gradient with Envoy's defaults meets the goals at %d×: a limit of ~25 keeps a short queue in the handler", (multiple) => {
    const r = at(multiple, { algorithm: "envoy-gradient" });
    expect(r.goodput).toBeGreaterThanOrEqual(0.9);
    expect(r.p99Ratio).toBeLessThanOrEqual(2);
    expect(r.limitRange[0]).toBeGreaterThan(16);
  });

  it.each([2, 4])("a fixed limit at the capacity keeps p99 at the unloaded figure but cannot reach 0.9 goodput at %d×: slots idle while answers travel", (multiple) => {
    const r = at(multiple, { algorithm: "fixed", limit: 16 });
    expect(r.p99Ratio).toBeLessThanOrEqual(1.05);
    expect(r.goodput).toBeLessThan(0.9);
  });

  it.each([2, 4])("AIMD with Netflix's defaults and a 15 ms drop timeout keeps goodput at %d× but overshoots per call, where minLimit 4 lets it collapse", (multiple) => {
    const defaults = at(multiple, { algorithm: "aimd", timeoutMs: 15 });
    expect(defaults.goodput).toBeGreaterThanOrEqual(0.9);
    expect(defaults.limitRange[0]).toBe(20);
    // Per call it overshoots, as Netflix's AIMDLimit does: +1 on each of 1,600 answers a second
    // while the queue that growth builds shows in an answer only one RTT later (p99 over 2×).
    expect(defaults.limitRange[1]).toBeGreaterThan(2 * 16);
    expect(defaults.p99Ratio).toBeGreaterThan(2);
    // One backoff per late sample: a queue's worth of late answers multiplies the limit by 0.9 each.
    const low = at(multiple, { algorithm: "aimd", timeoutMs: 15, minLimit: 4 });
    expect(low.goodput).toBeLessThan(0.75);
    expect(low.limitRange[0]).toBe(4);
  });

  it.each([2, 4])("Gradient2 with Netflix's defaults keeps goodput at %d× but lets latency drift (its long RTT follows the queue)", (multiple) => {
    const r = at(multiple, { algorithm: "gradient2" });
    expect(r.goodput).toBeGreaterThanOrEqual(0.9);
    expect(r.p99Ratio).toBeGreaterThan(4);
  });

  it.each([2, 4])("Vegas with Netflix's defaults swings (+6 per unqueued sample, −1 per queued one) and misses both goals at %d×", (multiple) => {
    const r = at(multiple, { algorithm: "vegas" });
    expect(r.limitRange[0]).toBeLessThan(16);
    expect(r.limitRange[1]).toBeGreaterThan(40);
    expect(r.goodput).toBeLessThan(0.9);
    expect(r.p99Ratio).toBeGreaterThan(2);
  });

  // Netflix's WindowedLimit (one update per window of samples: their average RTT) with its
  // defaults (1 s windows) and with 100 ms windows: per call, AIMD and Gradient2 grow on every answer
  // while the queue they build shows only one RTT later; a window's average sees it.
  it.each([
    ["AIMD (15 ms drop timeout)", { algorithm: "aimd", timeoutMs: 15 }],
    ["Vegas", { algorithm: "vegas" }],
    ["Gradient2", { algorithm: "gradient2" }],
  ] as const)("%s with Netflix's defaults in Netflix's sample window meets both goals at 2× and 4×, with 1 s or 100 ms windows", (_name, spec) => {
    for (const window of [{}, { minWindowMs: 100, maxWindowMs: 100 }]) {
      for (const multiple of [2, 4]) {
        const r = at(multiple, { ...spec, window });
        expect(r.goodput).toBeGreaterThanOrEqual(0.99);
        expect(r.p99Ratio).toBeLessThanOrEqual(1.9);
        expect(r.limitRange[1]).toBeLessThanOrEqual(33);
      }
    }
  });

  // A caller's limit sees the whole round trip: the same model with 1 or 2 ms each way between
  // the limiter and the handler instead of 0.3 (docs/LIMITS.md, "Client").
  it.each([1, 2])("a limit %d ms away from the handler, as a caller's is: the server's fixed 16 passes under 0.8 of capacity, Envoy's gradient learns a higher limit and keeps it", (wireMs) => {
    for (const multiple of [2, 4]) {
      const fixed = simulateOverload({ multiple, wireMs, limit: { algorithm: "fixed", limit: 16 } });
      expect(fixed.goodput).toBeLessThan(0.8);
      const envoy = simulateOverload({ multiple, wireMs, limit: { algorithm: "envoy-gradient" } });
      expect(envoy.goodput).toBeGreaterThanOrEqual(0.99);
      expect(envoy.limitRange[0]).toBeGreaterThanOrEqual(29);
      expect(envoy.p99Ratio).toBeLessThanOrEqual(1.9);
    }
  });

  it("without a limiter latency grows without bound", () => {
    expect(at(4, undefined).p99Ratio).toBeGreaterThan(100);
  });
});

// Tests of the adaptive hedging delay: the percentile window, its bounds, and the hedge rate it keeps on scripted latencies.
import { createHedgingDelayEstimator, type HedgingDelayEstimator } from "./hedging-delay.js";

/**
 * Plays calls of the given latencies as a hedged client would: a call hedges when its latency
 * exceeds the delay asked for when it started; the estimator learns each latency and each call's
 * outcome. Returns how many calls hedged.
 */
function playCalls(estimator: HedgingDelayEstimator, latencies: readonly number[]): number {
  let hedged = 0;
  for (const latency of latencies) {
    const hedges = latency > estimator.delayMs();
    if (hedges) hedged++;
    estimator.recordCall(hedges);
    estimator.record(latency);
  }
  return hedged;
}

/** `n` latencies spread evenly over 2.0–2.9 ms: a tight distribution whose p98 is 2.9 ms. */
function steady(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 2 + (i % 10) / 10);
}

describe("createHedgingDelayEstimator", () => {
  it("returns the fallback until minSamples, then the nearest-rank percentile", () => {
    const estimator = createHedgingDelayEstimator({ fallbackMs: 40, minSamples: 20, recomputeEvery: 1 }, () => 0);
    for (let i = 1; i <= 19; i++) estimator.record(i);
    expect(estimator.delayMs()).toBe(40);
    expect(estimator.stats()).toEqual({ samples: 19, percentileMs: undefined, medianMs: undefined, multiplier: 1, hedgeRate: 0, delayMs: 40 });
    estimator.record(20);
    expect(estimator.delayMs()).toBe(19); // ⌈0.95 × 20⌉ = 19th smallest of 1..20
    for (let i = 21; i <= 100; i++) estimator.record(i);
    expect(estimator.delayMs()).toBe(95);
  });

  it("keeps only the last windowSize samples", () => {
    const estimator = createHedgingDelayEstimator({ fallbackMs: 0, windowSize: 10, minSamples: 10, percentile: 0.5, recomputeEvery: 1 }, () => 0);
    for (let i = 0; i < 10; i++) estimator.record(1000);
    for (let i = 0; i < 10; i++) estimator.record(i + 1); // 1..10 push every 1000 out
    expect(estimator.stats()).toEqual({ samples: 10, percentileMs: 5, medianMs: 5, multiplier: 1, hedgeRate: 0, delayMs: 5 });
  });

  it("ages samples out after windowMs and falls back when too few remain", () => {
    let t = 0;
    const estimator = createHedgingDelayEstimator({ fallbackMs: 25, windowMs: 1000, minSamples: 5, percentile: 0.5 }, () => t);
    for (let i = 0; i < 5; i++) estimator.record(100);
    expect(estimator.delayMs()).toBe(100);
    t = 600;
    for (let i = 0; i < 5; i++) estimator.record(10);
    expect(estimator.delayMs()).toBe(100); // recomputed only every 50 samples …
    t = 1000; // … or when samples age out: the five 100 ms samples are gone
    expect(estimator.stats()).toEqual({ samples: 5, percentileMs: 10, medianMs: 10, multiplier: 1, hedgeRate: 0, delayMs: 10 });
    t = 1600;
    expect(estimator.delayMs()).toBe(25);
  });

  it("clamps to floor and ceiling and ignores invalid samples", () => {
    const estimator = createHedgingDelayEstimator({ fallbackMs: 5, minSamples: 1, floorMs: 2, ceilingMs: 50, recomputeEvery: 1 }, () => 0);
    estimator.record(0.1);
    expect(estimator.delayMs()).toBe(2);
    estimator.record(-1);
    estimator.record(Number.NaN);
    estimator.record(Number.POSITIVE_INFINITY);
    expect(estimator.stats().samples).toBe(1);
    for (let i = 0; i < 10; i++) estimator.record(500);
    expect(estimator.delayMs()).toBe(50);
  });

  it("keeps its promise through a shift to slower calls: 200 calls at 3.5 ms after a steady 2–2.9 ms hedge ≤ 3 % (its tolerance), not the 50 before the next recomputation", () => {
    const estimator = createHedgingDelayEstimator({ fallbackMs: 10, percentile: 0.98 }, () => 0);
    expect(playCalls(estimator, steady(1000))).toBe(0);
    expect(estimator.stats()).toMatchObject({ percentileMs: 2.9, multiplier: 1, delayMs: 2.9 });
    // A busy spell (another process on the CPU, hedges adding load) makes every call slower at
    // once: the percentile only follows after ≥ 2 % of the window is slow and the next
    // recomputation, and each hedge raises the delay above the percentile meanwhile.
    const hedged = playCalls(estimator, Array<number>(200).fill(3.5));
    expect(hedged).toBeLessThanOrEqual(6);
    expect(estimator.stats().percentileMs).toBe(3.5);
  });

  it("relaxes back to the percentile while calls hedge less often than it tolerates (1.5 × 2 % at p98)", () => {
    const estimator = createHedgingDelayEstimator({ fallbackMs: 10, percentile: 0.98 }, () => 0);
    playCalls(estimator, steady(1000));
    playCalls(estimator, [9, 9, 9]); // three hedges in a row: 1.05³ × the percentile
    expect(estimator.stats().multiplier).toBeCloseTo(1.05 ** 3, 9);
    // Each call without a hedge takes off 1.05^(3 / 97): 97 calls undo the three hedges.
    playCalls(estimator, steady(95));
    expect(estimator.stats().multiplier).toBeGreaterThan(1);
    playCalls(estimator, steady(3));
    expect(estimator.stats()).toMatchObject({ multiplier: 1, delayMs: estimator.stats().percentileMs });
  });

  it("holds a tight distribution with bursts of slower calls to the rate it tolerates: p98 hedges ≤ 3 % of calls, not 5 %", () => {
    // Every 100 calls, a burst of 5 calls at 3.2 ms (5 %: above the p98 of the steady calls while
    // the window is young, as disturbances are); the percentile alone hedges each burst it has not
    // yet absorbed.
    const estimator = createHedgingDelayEstimator({ fallbackMs: 10, percentile: 0.98, windowSize: 200, minSamples: 20 }, () => 0);
    const latencies: number[] = [];
    for (let round = 0; round < 60; round++) latencies.push(...steady(95), ...Array<number>(5).fill(3.2 + round / 100));
    const hedged = playCalls(estimator, latencies);
    expect(hedged / latencies.length).toBeLessThanOrEqual(0.03);
  });

  it("raises the delay to at most 4× the median: a wide distribution's hedges keep its percentile", () => {
    // 90 % of calls at 1 ms, 10 % at 30 ms: p98 = 30 ms, median 1 ms.
    const estimator = createHedgingDelayEstimator({ fallbackMs: 10, percentile: 0.98 }, () => 0);
    const wide = Array.from({ length: 1000 }, (_, i) => (i % 10 === 9 ? 30 : 1));
    playCalls(estimator, wide);
    playCalls(estimator, [50, 50, 50]); // hedged: the multiplier rises to 1.05³ …
    expect(estimator.stats()).toMatchObject({ percentileMs: 30, medianMs: 1, delayMs: 30 }); // … but 4 × 1 ms < 30 ms
    // A tight one is raised up to 4× its median, not 4× its percentile.
    const tight = createHedgingDelayEstimator({ fallbackMs: 10, percentile: 0.98, windowSize: 10_000 }, () => 0);
    playCalls(tight, Array<number>(5000).fill(1));
    playCalls(tight, Array<number>(40).fill(20)); // 40 hedges: 1.05⁴⁰ ≈ 7, capped at 4
    expect(tight.stats()).toMatchObject({ percentileMs: 1, medianMs: 1, delayMs: 4 });
    expect(tight.stats().multiplier).toBeCloseTo(4, 12);
  });

  it("does not steer by calls made on the fallback delay", () => {
    const estimator = createHedgingDelayEstimator({ fallbackMs: 10, minSamples: 20 }, () => 0);
    for (let i = 0; i < 10; i++) estimator.recordCall(true);
    playCalls(estimator, steady(20));
    expect(estimator.stats()).toMatchObject({ multiplier: 1, hedgeRate: 0 });
  });

  it("rejects bad settings naming the field", () => {
    const ok = { fallbackMs: 10 };
    expect(() => createHedgingDelayEstimator({ ...ok, percentile: 1 }, () => 0)).toThrow(/^hedge\.percentile: must be a number in \(0, 1\)/);
    expect(() => createHedgingDelayEstimator({ ...ok, windowSize: 5 }, () => 0)).toThrow(/^hedge\.windowSize/);
    expect(() => createHedgingDelayEstimator({ ...ok, minSamples: 2000 }, () => 0)).toThrow(/^hedge\.minSamples: must be an integer from 1 to windowSize \(1000\)/);
    expect(() => createHedgingDelayEstimator({ ...ok, floorMs: 10, ceilingMs: 5 }, () => 0)).toThrow(/^hedge\.ceilingMs: must be a number >= floorMs \(10\)/);
    expect(() => createHedgingDelayEstimator({ fallbackMs: -1 }, () => 0)).toThrow(/^hedge\.fallbackMs/);
    expect(() => createHedgingDelayEstimator({ ...ok, windowMs: 0 }, () => 0)).toThrow(/^hedge\.windowMs/);
    expect(() => createHedgingDelayEstimator({ ...ok, recomputeEvery: 0 }, () => 0)).toThrow(/^hedge\.recomputeEvery/);
  });
});

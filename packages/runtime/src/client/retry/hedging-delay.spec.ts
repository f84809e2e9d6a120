import { createHedgingDelayEstimator } from "./hedging-delay.js";

describe("createHedgingDelayEstimator", () => {
  it("returns the fallback until minSamples, then the nearest-rank percentile", () => {
    const estimator = createHedgingDelayEstimator({ fallbackMs: 40, minSamples: 20, recomputeEvery: 1 }, () => 0);
    for (let i = 1; i <= 19; i++) estimator.record(i);
    expect(estimator.delayMs()).toBe(40);
    expect(estimator.stats()).toEqual({ samples: 19, percentileMs: undefined, delayMs: 40 });
    estimator.record(20);
    expect(estimator.delayMs()).toBe(19); // ⌈0.95 × 20⌉ = 19th smallest of 1..20
    for (let i = 21; i <= 100; i++) estimator.record(i);
    expect(estimator.delayMs()).toBe(95);
  });

  it("keeps only the last windowSize samples", () => {
    const estimator = createHedgingDelayEstimator({ fallbackMs: 0, windowSize: 10, minSamples: 10, percentile: 0.5, recomputeEvery: 1 }, () => 0);
    for (let i = 0; i < 10; i++) estimator.record(1000);
    for (let i = 0; i < 10; i++) estimator.record(i + 1); // 1..10 push every 1000 out
    expect(estimator.stats()).toEqual({ samples: 10, percentileMs: 5, delayMs: 5 });
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
    expect(estimator.stats()).toEqual({ samples: 5, percentileMs: 10, delayMs: 10 });
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

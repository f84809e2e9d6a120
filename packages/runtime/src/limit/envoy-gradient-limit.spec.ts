import { createEnvoyGradientLimit, percentile } from "./envoy-gradient-limit.js";

describe("createEnvoyGradientLimit", () => {
  let time = 0;
  const now = () => time;
  beforeEach(() => {
    time = 0;
  });
  const sample = (g: ReturnType<typeof createEnvoyGradientLimit>, rttMs: number, count = 1): void => {
    for (let i = 0; i < count; i++) g.onSample({ startMs: time, rttMs, inFlight: 1, dropped: false });
  };
  /** Ends the minRTT measurement with `count` samples of `rtt`. */
  const measure = (g: ReturnType<typeof createEnvoyGradientLimit>, rtt: number, count = 50): void => sample(g, rtt, count);

  it("takes the nearest-rank percentile", () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 100)).toBe(5);
    expect(percentile([7], 1)).toBe(7);
  });

  it("pins the limit to minConcurrency while measuring the minRTT, then grows under a stable RTT", () => {
    const g = createEnvoyGradientLimit({ now, random: () => 0 });
    expect(g.limit).toBe(3);
    expect(g.measuring).toBe(true);
    measure(g, 10);
    expect(g.minRttMs).toBe(10);
    expect(g.measuring).toBe(false);
    // Each 100 ms window at rtt 10: g = min(2, 12.5/10) = 1.25; 3 → floor(3.75 + √3.75) = 5 → 8 → 13
    const limits: number[] = [];
    for (let i = 0; i < 3; i++) {
      sample(g, 10, 5);
      time += 100;
      limits.push(g.limit);
    }
    expect(limits).toEqual([5, 8, 13]);
  });

  it("falls when the sample RTT grows past minRTT + buffer, never below minConcurrency", () => {
    const g = createEnvoyGradientLimit({ now, random: () => 0, minConcurrency: 2 });
    measure(g, 10);
    for (let i = 0; i < 10; i++) {
      sample(g, 10, 5);
      time += 100;
      void g.limit;
    }
    const high = g.limit;
    sample(g, 100, 5); // g = 12.5 / 100 → clamped to 0.5
    time += 100;
    const scaled = high * 0.5;
    expect(g.limit).toBe(Math.floor(scaled + Math.sqrt(scaled)));
    for (let i = 0; i < 20; i++) {
      sample(g, 100, 5);
      time += 100;
      expect(g.limit).toBeGreaterThanOrEqual(2);
    }
  });

  it("respects maxLimit", () => {
    const g = createEnvoyGradientLimit({ now, random: () => 0, maxLimit: 20 });
    measure(g, 10);
    for (let i = 0; i < 20; i++) {
      sample(g, 1, 5);
      time += 100;
      expect(g.limit).toBeLessThanOrEqual(20);
    }
    expect(g.limit).toBe(20);
  });

  it("re-measures the minRTT on its interval and restores the limit afterwards", () => {
    const g = createEnvoyGradientLimit({ now, random: () => 0, minRttIntervalMs: 1000, minRttRequestCount: 5 });
    measure(g, 10, 5);
    for (let i = 0; i < 5; i++) {
      sample(g, 10, 3);
      time += 100;
      void g.limit;
    }
    const before = g.limit;
    time += 1000;
    expect(g.limit).toBe(3);
    expect(g.measuring).toBe(true);
    sample(g, 20, 5); // the service got slower: the new minRTT is 20
    expect(g.minRttMs).toBe(20);
    expect(g.limit).toBe(before);
  });

  it("ignores samples of calls admitted before a measurement began", () => {
    time = 10;
    const h = createEnvoyGradientLimit({ now, random: () => 0, minRttRequestCount: 2, minRttIntervalMs: 50 });
    h.onSample({ startMs: 10, rttMs: 5, inFlight: 1, dropped: false });
    h.onSample({ startMs: 10, rttMs: 5, inFlight: 1, dropped: false });
    time = 200;
    expect(h.limit).toBe(3);
    expect(h.measuring).toBe(true);
    h.onSample({ startMs: 100, rttMs: 1, inFlight: 1, dropped: false });
    h.onSample({ startMs: 100, rttMs: 1, inFlight: 1, dropped: false });
    expect(h.measuring).toBe(true);
  });

  it("rejects bad settings naming the field", () => {
    expect(() => createEnvoyGradientLimit({ now, bufferPercent: -1 })).toThrow("bufferPercent: must be a number >= 0, got -1");
    expect(() => createEnvoyGradientLimit({ now, samplePercentile: 0 })).toThrow("samplePercentile: must be a number > 0 and <= 100, got 0");
    expect(() => createEnvoyGradientLimit({ now, minConcurrency: 10, maxLimit: 5 })).toThrow("minConcurrency: must be <= maxLimit (5), got 10");
  });
});

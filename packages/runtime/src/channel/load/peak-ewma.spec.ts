import { createPeakEwma } from "./peak-ewma.js";

describe("createPeakEwma", () => {
  let time = 0;
  const now = () => time;
  const E = Math.exp(-1);
  beforeEach(() => {
    time = 0;
  });

  it("has no estimate before the first sample, then takes it as is", () => {
    const ewma = createPeakEwma({ now });
    expect(ewma.estimate()).toBeUndefined();
    ewma.observe(100);
    expect(ewma.estimate()).toBe(100);
  });

  it("decays toward zero while no sample arrives", () => {
    const ewma = createPeakEwma({ decayMs: 10_000, now });
    ewma.observe(100);
    time = 10_000;
    expect(ewma.estimate()).toBeCloseTo(100 * E, 12);
    expect(ewma.estimate(20_000)).toBeCloseTo(100 * E * E, 12);
    expect(ewma.estimate(-5)).toBe(100); // no growth before the last sample
  });

  it("jumps to a sample above the current estimate at once", () => {
    const ewma = createPeakEwma({ decayMs: 10_000, now });
    ewma.observe(100);
    time = 1_000;
    ewma.observe(300);
    expect(ewma.estimate()).toBe(300);
  });

  it("compares a sample with the decayed estimate, not the stored peak", () => {
    const ewma = createPeakEwma({ decayMs: 10_000, now });
    ewma.observe(100);
    time = 10_000; // estimate 36.8
    ewma.observe(50);
    expect(ewma.estimate()).toBe(50);
  });

  it("blends a lower sample with weight 1 − w, w = exp(-elapsed / decayMs), once per elapsed time", () => {
    const ewma = createPeakEwma({ decayMs: 10_000, now, sampleWeight: 0 });
    ewma.observe(100);
    time = 10_000;
    ewma.observe(20);
    // current = 100·e⁻¹; value = current + (1 − e⁻¹)·(20 − current)
    const expected = 100 * E + (1 - E) * (20 - 100 * E);
    expect(ewma.estimate()).toBeCloseTo(expected, 12);
    time = 15_000;
    ewma.observe(10);
    const w = Math.exp(-0.5);
    expect(ewma.estimate()).toBeCloseTo(expected * w + (1 - w) * (10 - expected * w), 12);
  });

  it("moves at least sampleWeight of the way per lower sample, however close the samples", () => {
    const ewma = createPeakEwma({ decayMs: 10_000, now, sampleWeight: 0.25 });
    ewma.observe(100);
    ewma.observe(20); // no time passed: 1 − w = 0, the floor applies
    expect(ewma.estimate()).toBeCloseTo(100 + 0.25 * (20 - 100), 12);
    time = 10_000; // 1 − w = 1 − e⁻¹ > 0.25: the time term applies
    ewma.observe(20);
    const current = 80 * E;
    expect(ewma.estimate()).toBeCloseTo(current + (1 - E) * (20 - current), 12);
  });

  it("sheds a transient peak within a few dozen calls on a busy endpoint (default sampleWeight 0.1)", () => {
    const ewma = createPeakEwma({ decayMs: 10_000, now });
    ewma.observe(2);
    ewma.observe(40); // a client-side stall
    for (let i = 1; i <= 40; i++) {
      time = i * 0.3; // ~3,000 calls per second
      ewma.observe(2);
    }
    expect(ewma.estimate()!).toBeLessThan(2.6);
  });

  it("settles on a steady latency", () => {
    const ewma = createPeakEwma({ decayMs: 10_000, now });
    ewma.observe(1_000);
    let previous = 1_000;
    for (let i = 1; i <= 600; i++) {
      time = i * 100;
      ewma.observe(10);
      const estimate = ewma.estimate()!;
      expect(estimate).toBeLessThanOrEqual(previous);
      previous = estimate;
    }
    expect(previous).toBe(10);
  });

  it("is not changed by reading", () => {
    const read = createPeakEwma({ decayMs: 1_000, now });
    const unread = createPeakEwma({ decayMs: 1_000, now });
    read.observe(40);
    unread.observe(40);
    for (time = 100; time < 900; time += 100) read.estimate();
    read.observe(30);
    unread.observe(30);
    expect(read.estimate()).toBe(unread.estimate());
  });

  it("counts negative samples as 0 and ignores non-finite ones", () => {
    const ewma = createPeakEwma({ now });
    ewma.observe(Number.NaN);
    expect(ewma.estimate()).toBeUndefined();
    ewma.observe(-3);
    expect(ewma.estimate()).toBe(0);
    ewma.observe(Number.POSITIVE_INFINITY);
    expect(ewma.estimate()).toBe(0);
  });

  it("rejects a bad sampleWeight, naming the field", () => {
    expect(() => createPeakEwma({ now, sampleWeight: 1.5 })).toThrow("ewmaSampleWeight: must be a number from 0 to 1, got 1.5");
    expect(() => createPeakEwma({ now, sampleWeight: Number.NaN })).toThrow(/^ewmaSampleWeight: /);
  });

  it("rejects a bad decayMs, naming the field", () => {
    expect(() => createPeakEwma({ decayMs: 0, now })).toThrow(
      "ewmaDecayMs: must be a finite number > 0 (milliseconds), got 0",
    );
    expect(() => createPeakEwma({ decayMs: Number.POSITIVE_INFINITY, now })).toThrow(/^ewmaDecayMs: /);
  });
});

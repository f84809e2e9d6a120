// Tests of the decaying failure share: exact values on a fake clock.
import { createFailureRate } from "./failure-rate.js";

describe("createFailureRate", () => {
  it("starts at 0 and moves by at least sampleWeight per outcome", () => {
    let t = 0;
    const f = createFailureRate({ now: () => t, decayMs: 1000, sampleWeight: 0.1 });
    expect(f.rate()).toBe(0);
    f.observe(true);
    expect(f.rate()).toBeCloseTo(0.1, 12);
    f.observe(true);
    expect(f.rate()).toBeCloseTo(0.19, 12);
    f.observe(false);
    expect(f.rate()).toBeCloseTo(0.171, 12);
  });

  it("approaches 1 under constant failure and decays back toward 0 without calls", () => {
    let t = 0;
    const f = createFailureRate({ now: () => t, decayMs: 1000 });
    for (let i = 0; i < 60; i++) f.observe(true);
    expect(f.rate()).toBeGreaterThan(0.99);
    t = 1000;
    expect(f.rate()).toBeCloseTo(f.rate(0) * Math.exp(-1), 12);
    t = 10_000;
    expect(f.rate()).toBeLessThan(0.001);
  });

  it("gives a late outcome the weight of the time since the last one", () => {
    let t = 0;
    const f = createFailureRate({ now: () => t, decayMs: 1000, sampleWeight: 0.1 });
    f.observe(true);
    t = 1000;
    f.observe(true);
    const decayed = 0.1 * Math.exp(-1);
    expect(f.rate()).toBeCloseTo(decayed + (1 - Math.exp(-1)) * (1 - decayed), 12);
  });

  it("rejects bad options naming the field", () => {
    expect(() => createFailureRate({ now: () => 0, decayMs: 0 })).toThrow(/^decayMs: must be a finite number > 0/);
    expect(() => createFailureRate({ now: () => 0, sampleWeight: 0 })).toThrow(/^sampleWeight: must be a number in \(0, 1\]/);
  });
});

// Tests of the hedge-rate governor: exact multiplier steps, its bounds, where it settles, the rate it reports.
import { createHedgeRateGovernor } from "./hedge-rate-governor.js";

/** Records `pattern` (true: hedged) `times` times over. */
function play(governor: ReturnType<typeof createHedgeRateGovernor>, pattern: readonly boolean[], times: number): void {
  for (let i = 0; i < times; i++) for (const hedged of pattern) governor.recordCall(hedged);
}

describe("createHedgeRateGovernor", () => {
  it("multiplies by stepUp per hedged call and divides by stepUp^(target / (1 − target)) per other call", () => {
    // Target 0.2: a hedge is undone by 4 calls without one.
    const governor = createHedgeRateGovernor({ targetRate: 0.2, stepUp: 2 });
    expect(governor.multiplier()).toBe(1);
    governor.recordCall(true);
    expect(governor.multiplier()).toBeCloseTo(2, 12);
    governor.recordCall(true);
    expect(governor.multiplier()).toBeCloseTo(4, 12);
    governor.recordCall(false);
    expect(governor.multiplier()).toBeCloseTo(4 / 2 ** 0.25, 12);
    play(governor, [false], 7);
    expect(governor.multiplier()).toBeCloseTo(1, 12);
  });

  it("never goes below 1 (the percentile itself) nor above maxMultiplier", () => {
    const governor = createHedgeRateGovernor({ targetRate: 0.02, stepUp: 2, maxMultiplier: 8 });
    play(governor, [false], 1000);
    expect(governor.multiplier()).toBe(1);
    play(governor, [true], 10);
    expect(governor.multiplier()).toBeCloseTo(8, 12);
    // A ceiling, not a wind-up: the first calls without a hedge bring it down at once.
    governor.recordCall(false);
    expect(governor.multiplier()).toBeLessThan(8);
  });

  it("balances where the target share of calls hedges: above it the multiplier climbs, at it it holds, below it relaxes to 1", () => {
    const above = createHedgeRateGovernor({ targetRate: 0.02, stepUp: 1.25 });
    play(above, [...Array<boolean>(29).fill(false), true], 100); // 3.3 %
    expect(above.multiplier()).toBeCloseTo(4, 12);
    const at = createHedgeRateGovernor({ targetRate: 0.02, stepUp: 1.25 });
    play(at, [true, ...Array<boolean>(49).fill(false)], 100); // 2 %: each hedge undone by the 49 calls after it
    expect(at.multiplier()).toBeCloseTo(1, 9);
    play(at, [true], 1);
    expect(at.multiplier()).toBeCloseTo(1.25, 9);
    const below = createHedgeRateGovernor({ targetRate: 0.02, stepUp: 1.25 });
    play(below, [true, ...Array<boolean>(99).fill(false)], 100); // 1 %
    expect(below.multiplier()).toBe(1);
  });

  it("reports the share of recent calls that hedged: a plain mean, then an average over 10 ÷ target calls", () => {
    const governor = createHedgeRateGovernor({ targetRate: 0.1 }); // horizon 100 calls
    play(governor, [true, false, false, false], 5);
    expect(governor.stats().calls).toBe(20);
    expect(governor.stats().hedgeRate).toBeCloseTo(0.25, 12);
    play(governor, [false], 1000);
    // 5 hedges in the first 100 calls, then 920 calls each keeping 99 % of it.
    expect(governor.stats().hedgeRate).toBeCloseTo(0.05 * 0.99 ** 920, 12);
  });

  it("rejects bad settings naming the field", () => {
    expect(() => createHedgeRateGovernor({ targetRate: 0 })).toThrow(/^hedge\.targetRate: must be a number in \(0, 1\), got 0$/);
    expect(() => createHedgeRateGovernor({ targetRate: 0.02, stepUp: 1 })).toThrow(/^hedge\.stepUp: must be a finite number > 1, got 1$/);
    expect(() => createHedgeRateGovernor({ targetRate: 0.02, maxMultiplier: 0.5 })).toThrow(/^hedge\.maxMultiplier: must be a finite number >= 1/);
  });
});

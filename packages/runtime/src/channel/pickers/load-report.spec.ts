// Tests of the load-report picker: shares by weight, round robin with fewer than two weights,
// weights read again each period.
import { createLoadReportPolicy } from "./load-report.js";
import { candidate, createFakePickerEnv, fakeCandidate, type FakeCandidate } from "./testing.js";

function weighted(address: string, weight: number): FakeCandidate & { w: number } {
  const c = Object.assign(fakeCandidate(address), { w: weight });
  (c as { loadWeight?: (now: number) => number }).loadWeight = () => c.w;
  return c;
}

function shares(picks: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of picks) out[p] = (out[p] ?? 0) + 1 / picks.length;
  return out;
}

describe("load-report picker", () => {
  it("gives each endpoint a share in proportion to its reported weight", () => {
    const env = createFakePickerEnv(3);
    const picker = createLoadReportPolicy().build([weighted("a", 100), weighted("b", 300)], env);
    const picks = Array.from({ length: 4000 }, () => candidate(picker.pick({})).address);
    const s = shares(picks);
    expect(s.a).toBeCloseTo(0.25, 2);
    expect(s.b).toBeCloseTo(0.75, 2);
  });

  it("is round robin while fewer than two endpoints have a weight", () => {
    const env = createFakePickerEnv(5);
    const picker = createLoadReportPolicy().build([weighted("a", 0), weighted("b", 500), weighted("c", 0)], env);
    const s = shares(Array.from({ length: 3000 }, () => candidate(picker.pick({})).address));
    for (const k of ["a", "b", "c"]) expect(s[k]).toBeCloseTo(1 / 3, 2);
  });

  it("gives an endpoint without a weight the mean of the others", () => {
    const env = createFakePickerEnv(9);
    const picker = createLoadReportPolicy().build([weighted("a", 100), weighted("b", 300), weighted("c", 0)], env);
    const s = shares(Array.from({ length: 6000 }, () => candidate(picker.pick({})).address));
    expect(s.c).toBeCloseTo(200 / 600, 2);
  });

  it("reads the weights again once per period, so a server that grows busy loses traffic", () => {
    const env = createFakePickerEnv(7);
    const a = weighted("a", 100);
    const b = weighted("b", 100);
    const picker = createLoadReportPolicy({ weightUpdatePeriodMs: 1000 }).build([a, b], env);
    picker.pick({});
    a.w = 900;
    env.time = 999;
    expect(shares(Array.from({ length: 2000 }, () => candidate(picker.pick({})).address)).a).toBeCloseTo(0.5, 2);
    env.time = 1000;
    expect(shares(Array.from({ length: 2000 }, () => candidate(picker.pick({})).address)).a).toBeCloseTo(0.9, 2);
  });

  it("rejects a bad period naming the field", () => {
    expect(() => createLoadReportPolicy({ weightUpdatePeriodMs: 0 })).toThrow(/^balancer\.weightUpdatePeriodMs: must be a finite number > 0/);
  });
});

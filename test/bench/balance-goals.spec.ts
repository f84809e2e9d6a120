// The balance scenario's overload goal: when each policy moved traffic away from a backend that
// turned overloaded, from the server's per-bucket shares and call counts.
import { overloadCaughtGoal } from "../../bench/src/scenarios/balance-goals.js";
import type { Figure, ScenarioResults } from "../../bench/src/harness/scenario.js";

/** Results holding only the `overloaded` point's series of each policy: shares per 20 ms bucket from the onset, `calls` in each. */
function resultsOf(shares: Record<string, readonly number[]>, calls: number | readonly number[] = 100): ScenarioResults {
  const callsIn = (i: number): number => (typeof calls === "number" ? calls : calls[i]!);
  const figures = Object.entries(shares).map(([contender, s]) => {
    const series = { toSlow: s.map((share, i) => [i * 20, share] as const), calls: s.map((_, i) => [i * 20, callsIn(i)] as const) };
    return { contender, point: "overloaded", series } as unknown as Figure;
  });
  return { figures } as unknown as ScenarioResults;
}

describe("overloadCaughtGoal", () => {
  it("is met when a load-report policy keeps under 10 % for 3 buckets from an earlier bucket than peak-EWMA, and says when each did", () => {
    const verdict = overloadCaughtGoal.evaluate(
      resultsOf({
        ewma: [0.25, 0.2, 0.05, 0.3, 0.05, 0.04, 0.03],
        "ewma-server": [0.25, 0.05, 0.04, 0.03, 0.02],
        lrep: [0.25, 0.25, 0.25, 0.25, 0.25],
      }),
    );
    expect(verdict.met).toBe(true);
    expect(verdict.detail).toContain("ewma: moved away 80 ms after the onset"); // one bucket under 10 % at 40 ms is not enough
    expect(verdict.detail).toContain("ewma-server: moved away 20 ms after the onset");
    expect(verdict.detail).toContain("lrep: not caught");
  });

  it("is not met when peak-EWMA moves away first", () => {
    const verdict = overloadCaughtGoal.evaluate(resultsOf({ ewma: [0.05, 0.05, 0.05], "ewma-server": [0.25, 0.05, 0.05, 0.05], lrep: [0.3, 0.3, 0.3] }));
    expect(verdict.met).toBe(false);
  });

  it("judges thin buckets merged into windows of at least 20 calls, so a few lucky calls do not count as moving away", () => {
    // Three buckets of 6 calls, none to the overloaded backend, then 30 calls with half to it: one window of 48 calls at 31 %.
    const calls = [6, 6, 6, 30, 30, 30, 30];
    const verdict = overloadCaughtGoal.evaluate(
      resultsOf({ ewma: [0, 0, 0, 0.5, 0.05, 0.05, 0.05], "ewma-server": [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05], lrep: [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3] }, calls),
    );
    expect(verdict.met).toBe(true);
    expect(verdict.detail).toContain("ewma: moved away 80 ms after the onset");
    expect(verdict.detail).toContain("ewma-server: moved away 0 ms after the onset");
  });

  it("is not judged when after the onset there are too few calls to form three windows of 20", () => {
    const verdict = overloadCaughtGoal.evaluate(resultsOf({ ewma: [0.2, 0.2, 0.2], "ewma-server": [0, 0, 0], lrep: [0, 0, 0] }, 5));
    expect(verdict.met).toBeUndefined();
    expect(verdict.detail).toContain("not judged");
  });

  it("judges the median over runs, so one lucky run does not decide", () => {
    const run = (shares: readonly number[]) => ({ toSlow: shares.map((v, i) => [i * 20, v] as const), calls: shares.map((_, i) => [i * 20, 100] as const) });
    const quick = run([0.05, 0.05, 0.05, 0.05]); // moved away at 0 ms
    const late = run([0.3, 0.3, 0.05, 0.05, 0.05]); // at 40 ms
    const never = run([0.3, 0.3, 0.3, 0.3]);
    const figure = (contender: string, runSeries: readonly ReturnType<typeof run>[]) =>
      ({ contender, point: "overloaded", series: runSeries[0], runSeries }) as unknown as Figure;
    const results = {
      figures: [figure("ewma", [late, late, late]), figure("ewma-server", [quick, never, never]), figure("lrep", [quick, late, never])],
    } as unknown as ScenarioResults;
    const verdict = overloadCaughtGoal.evaluate(results);
    expect(verdict.met).toBe(false); // ewma-server's median is never, lrep's 40 ms ties ewma's
    expect(verdict.detail).toContain("ewma-server: not caught (runs: 0 / never / never ms)");
    expect(verdict.detail).toContain("lrep: moved away 40 ms after the onset (runs: 0 / 40 / never ms)");
  });
});

// The balance scenario's overload goal: when each policy moved traffic away from a backend a
// neighbour overloaded, from the server's per-bucket shares and call counts, and whether the
// load-report line was avoiding that backend before the onset already.
import { overloadCaughtGoal } from "../../bench/src/scenarios/balance-goals.js";
import type { Figure, ScenarioResults } from "../../bench/src/harness/scenario.js";

/** One run's series: `before` shares in the 20 ms buckets up to the onset (fair 25 % unless given), then `after` from the onset; `calls` per bucket. */
function runSeries(after: readonly number[], calls: number | readonly number[] = 100, before: readonly number[] = [0.25, 0.25, 0.25]) {
  const callsIn = (i: number): number => (typeof calls === "number" ? calls : calls[i]!);
  const pre = before.map((share, i) => [(i - before.length) * 20, share] as const);
  return {
    toSlow: [...pre, ...after.map((share, i) => [i * 20, share] as const)],
    calls: [...pre.map(([t]) => [t, 100] as const), ...after.map((_, i) => [i * 20, callsIn(i)] as const)],
  };
}

/** Results holding only the `neighbour` point's series of each policy. */
function resultsOf(shares: Record<string, readonly number[]>, calls: number | readonly number[] = 100, before?: Record<string, readonly number[]>): ScenarioResults {
  const figures = Object.entries(shares).map(([contender, s]) => ({ contender, point: "neighbour", series: runSeries(s, calls, before?.[contender]) }) as unknown as Figure);
  return { figures } as unknown as ScenarioResults;
}

describe("overloadCaughtGoal", () => {
  it("is met when the out-of-band load-report line keeps under 10 % for 3 buckets from a bucket earlier than peak-EWMA, and says when each did", () => {
    const verdict = overloadCaughtGoal.evaluate(
      resultsOf({
        ewma: [0.25, 0.2, 0.05, 0.3, 0.05, 0.04, 0.03],
        "lrep-oob": [0.25, 0.05, 0.04, 0.03, 0.02],
        lrep: [0.25, 0.25, 0.25, 0.25, 0.25],
      }),
    );
    expect(verdict.met).toBe(true);
    expect(verdict.detail).toContain("neighbour ewma: moved away 80 ms after the onset"); // one bucket under 10 % at 40 ms is not enough
    expect(verdict.detail).toContain("neighbour lrep-oob: moved away 20 ms after the onset");
    expect(verdict.detail).toContain("neighbour lrep: not caught");
    expect(verdict.detail).toContain("25 % in the 500 ms before");
  });

  it("is not met when peak-EWMA moves away first or in the same bucket", () => {
    expect(overloadCaughtGoal.evaluate(resultsOf({ ewma: [0.05, 0.05, 0.05], "lrep-oob": [0.25, 0.05, 0.05, 0.05] })).met).toBe(false);
    expect(overloadCaughtGoal.evaluate(resultsOf({ ewma: [0.25, 0.05, 0.05, 0.05], "lrep-oob": [0.25, 0.05, 0.05, 0.05] })).met).toBe(false);
  });

  it("is not met when the load-report line was already avoiding the backend before the onset", () => {
    const verdict = overloadCaughtGoal.evaluate(
      resultsOf({ ewma: [0.25, 0.25, 0.25, 0.05, 0.05, 0.05], "lrep-oob": [0.05, 0.05, 0.05] }, 100, { "lrep-oob": [0.08, 0.1, 0.05] }),
    );
    expect(verdict.met).toBe(false);
    expect(verdict.detail).toContain("lrep-oob drew under 15 % before the onset");
  });

  it("judges thin buckets merged into windows of at least 20 calls, so a few lucky calls do not count as moving away", () => {
    // Three buckets of 6 calls, none to the overloaded backend, then 30 calls with half to it: one window of 48 calls at 31 %.
    const calls = [6, 6, 6, 30, 30, 30, 30];
    const verdict = overloadCaughtGoal.evaluate(
      resultsOf({ ewma: [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05], "lrep-oob": [0, 0, 0, 0.5, 0.05, 0.05, 0.05] }, calls),
    );
    expect(verdict.met).toBe(false);
    expect(verdict.detail).toContain("lrep-oob: moved away 80 ms after the onset");
    expect(verdict.detail).toContain("ewma: moved away 0 ms after the onset");
  });

  it("is not judged when after the onset there are too few calls to form three windows of 20", () => {
    const verdict = overloadCaughtGoal.evaluate(resultsOf({ ewma: [0.2, 0.2, 0.2], "lrep-oob": [0, 0, 0] }, 5));
    expect(verdict.met).toBeUndefined();
    expect(verdict.detail).toContain("not judged");
  });

  it("judges the median over runs, so one lucky run does not decide", () => {
    const quick = runSeries([0.05, 0.05, 0.05, 0.05]); // moved away at 0 ms
    const late = runSeries([0.3, 0.3, 0.05, 0.05, 0.05]); // at 40 ms
    const never = runSeries([0.3, 0.3, 0.3, 0.3]);
    const figure = (contender: string, runs: readonly ReturnType<typeof runSeries>[]) =>
      ({ contender, point: "neighbour", series: runs[0], runSeries: runs }) as unknown as Figure;
    const results = { figures: [figure("ewma", [late, late, late]), figure("lrep-oob", [quick, quick, never])] } as unknown as ScenarioResults;
    const verdict = overloadCaughtGoal.evaluate(results);
    expect(verdict.met).toBe(true); // median 0 ms against 40 ms
    expect(verdict.detail).toContain("lrep-oob: moved away 0 ms after the onset (runs: 0 / 0 / never ms)");
    const tie = { figures: [figure("ewma", [late, late, late]), figure("lrep-oob", [quick, late, never])] } as unknown as ScenarioResults;
    expect(overloadCaughtGoal.evaluate(tie).met).toBe(false); // median 40 ms: a tie is not earlier
  });

  it("lists the overloaded point's figures beside, without judging them", () => {
    const results = resultsOf({ ewma: [0.25, 0.25, 0.05, 0.05, 0.05], "lrep-oob": [0.05, 0.05, 0.05] });
    const overloaded = { contender: "lrep", point: "overloaded", series: runSeries([0.25, 0.25, 0.25, 0.25]) } as unknown as Figure;
    const verdict = overloadCaughtGoal.evaluate({ figures: [...results.figures, overloaded] } as unknown as ScenarioResults);
    expect(verdict.met).toBe(true);
    expect(verdict.detail).toContain("overloaded lrep: not caught");
  });
});

// The balance scenario's overload goal: when each policy moved traffic away from a backend that
// turned overloaded, from the server's per-bucket shares and call counts.
import { overloadCaughtGoal } from "../../bench/src/scenarios/balance-goals.js";
import type { Figure, ScenarioResults } from "../../bench/src/harness/scenario.js";

/** Results holding only the `overloaded` point's series of each policy: shares per 20 ms bucket from the onset, `calls` in each. */
function resultsOf(shares: Record<string, readonly number[]>, calls = 100): ScenarioResults {
  const figures = Object.entries(shares).map(([contender, s]) => {
    const series = { toSlow: s.map((share, i) => [i * 20, share] as const), calls: s.map((_, i) => [i * 20, calls] as const) };
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

  it("is not judged when a bucket after the onset got too few calls for its share to mean anything", () => {
    const verdict = overloadCaughtGoal.evaluate(resultsOf({ ewma: [0.2, 0.2, 0.2], "ewma-server": [0, 0, 0], lrep: [0, 0, 0] }, 5));
    expect(verdict.met).toBeUndefined();
    expect(verdict.detail).toContain("not judged");
  });
});

// The overload scenario's goal lines beside its raw anchor: each server-only line prints the raw
// shedder's figures at 2× and 4×, and our own goal holds serve()'s fixed limit to 1.5× raw's reject p99.
import { overloadScenario } from "../../bench/src/scenarios/overload.js";
import type { Figure, ScenarioResults } from "../../bench/src/harness/scenario.js";

/** A figure of `contender` at `point`: p99 of successes and reject p99 in ms, 95 % of capacity served, 60 % shed. */
function figure(contender: string, point: string, p99Ms: number, rejectP99Ms: number): Figure {
  const shed = point === "x0.1" ? 0 : 0.6;
  return {
    contender,
    point,
    p99Us: p99Ms * 1000,
    openLoop: { goodputPerSec: 0.95 * 1600, rejectedShare: shed, failedShare: 0, rejectP50Us: 100, rejectP99Us: rejectP99Ms * 1000 },
  } as unknown as Figure;
}

function results(fixedRejectMs: readonly [number, number], rawRejectMs: readonly [number, number]): ScenarioResults {
  return {
    figures: [
      figure("fixed", "x0.1", 12, 0),
      figure("fixed", "x2", 20, fixedRejectMs[0]),
      figure("fixed", "x4", 22, fixedRejectMs[1]),
      figure("raw", "x0.1", 10, 0),
      figure("raw", "x2", 15, rawRejectMs[0]),
      figure("raw", "x4", 30, rawRejectMs[1]),
    ],
  } as unknown as ScenarioResults;
}

const goal = (prefix: string) => {
  const found = overloadScenario.goals.find((g) => g.description.startsWith(prefix));
  if (found === undefined) throw new Error(`no goal starting "${prefix}"`);
  return found;
};

describe("the overload goals beside the raw anchor", () => {
  it("show the raw shedder's reject p99 and success p99 at 2× and 4× in a server-only line's detail", () => {
    const verdict = goal("fixed (16) (fixed)").evaluate(results([0.8, 0.9], [0.5, 0.6]));
    expect(verdict.met).toBe(true);
    expect(verdict.detail).toContain("x2: goodput 0.95× capacity, p99 20.00 ms, 1.67× unloaded, reject p99 0.80 ms (raw shedder: reject p99 0.50 ms, p99 15.00 ms, 1.50× its unloaded)");
    expect(verdict.detail).toContain("x4: goodput 0.95× capacity, p99 22.00 ms, 1.83× unloaded, reject p99 0.90 ms (raw shedder: reject p99 0.60 ms, p99 30.00 ms, 3.00× its unloaded)");
  });

  it("keep the issue's 1 ms reject bound whatever the anchor reaches", () => {
    expect(goal("fixed (16) (fixed)").evaluate(results([1.2, 0.9], [1.2, 0.9])).met).toBe(false);
  });

  it("hold serve()'s fixed limit to 1.5× the raw shedder's reject p99 at 2× and 4× in our own goal, not the issue's", () => {
    const ours = goal("[ours, not issue 13]");
    const within = ours.evaluate(results([30, 45], [20, 30]));
    expect(within.met).toBe(true);
    expect(within.detail).toBe("x2: fixed 30.00 ms, raw 20.00 ms: 1.50×; x4: fixed 45.00 ms, raw 30.00 ms: 1.50×");
    const over = ours.evaluate(results([30, 46], [20, 30]));
    expect(over.met).toBe(false);
    expect(over.detail).toContain("x4: fixed 46.00 ms, raw 30.00 ms: 1.53× ✗");
  });

  it("leave our own goal undecided when the anchor was not measured", () => {
    const missing = { figures: results([1, 1], [1, 1]).figures.filter((f) => f.contender !== "raw") } as unknown as ScenarioResults;
    expect(goal("[ours, not issue 13]").evaluate(missing).met).toBeUndefined();
    expect(goal("fixed (16) (fixed)").evaluate(missing).detail).toContain("raw shedder: not measured");
  });
});

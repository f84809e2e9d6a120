// Figures of the tail and retry-storm scenarios read from the backends' attempt counters: attempts
// per call (first attempts are calls) and the goals built on them.
import type { Figure, Goal, ScenarioResults } from "../harness/scenario.js";
import { figureOf } from "../harness/stats.js";

/** Server attempts per client call: 1 / (share of first attempts); `undefined` without counters. */
export function attemptsPerCall(f: Figure | undefined): number | undefined {
  const first = f?.counterShares?.attempts?.first;
  return first === undefined || first <= 0 ? undefined : 1 / first;
}

/** At every point: p99.9(anchor) / p99.9(subject) ≥ `cut` and extra attempts per call of the subject ≤ `extra`. */
export function tailCutGoal(description: string, subject: string, anchor: string, cut: number, extra: number): Goal {
  return {
    description,
    evaluate(results: ScenarioResults) {
      let met: boolean | undefined = true;
      const parts = results.points.map((p) => {
        const s = figureOf(results, subject, p.id);
        const a = figureOf(results, anchor, p.id);
        const perCall = attemptsPerCall(s);
        if (s === undefined || a === undefined || perCall === undefined || s.p999Us === 0) {
          met = undefined;
          return `${p.label}: not measured`;
        }
        const factor = a.p999Us / s.p999Us;
        const ok = factor >= cut && perCall - 1 <= extra;
        if (!ok && met !== undefined) met = false;
        return `${p.label}: p99.9 cut ${factor.toFixed(1)}× (${(a.p999Us / 1000).toFixed(1)} → ${(s.p999Us / 1000).toFixed(1)} ms), extra attempts ${((perCall - 1) * 100).toFixed(1)} %${ok ? "" : " ✗"}`;
      });
      return { met, detail: parts.join("; ") };
    },
  };
}

/**
 * At every point: attempts per call of `subject` ≤ `ratio` + `reserve` ÷ (calls in the measured
 * window of `windowMs`) — "attempts ≤ ratio × calls + the budget's minimum".
 */
export function amplificationGoal(description: string, subject: string, ratio: number, reserve: number, windowMs: number): Goal {
  return {
    description,
    evaluate(results: ScenarioResults) {
      let met: boolean | undefined = true;
      const parts = results.points.map((p) => {
        const f = figureOf(results, subject, p.id);
        const perCall = attemptsPerCall(f);
        if (f === undefined || perCall === undefined || f.callsPerSec === 0) {
          met = undefined;
          return `${p.label}: not measured`;
        }
        const bound = ratio + reserve / ((f.callsPerSec * windowMs) / 1000);
        const ok = perCall <= bound;
        if (!ok && met !== undefined) met = false;
        return `${p.label}: ${perCall.toFixed(3)} attempts per call, bound ${bound.toFixed(3)}${ok ? "" : " ✗"}`;
      });
      return { met, detail: parts.join("; ") };
    },
  };
}

// Goal builders shared by scenarios: "X ≥ k× Y on metric M at points P", with honest verdicts.
import { figureOf, pairedMessagesRatio, ratio } from "../harness/stats.js";
import type { Figure, Goal, ScenarioResults } from "../harness/scenario.js";

/** A metric a goal compares, and whether higher is better. */
export interface GoalMetric {
  readonly name: string;
  readonly pick: (f: Figure) => number;
  /** "min": subject/anchor must be ≥ bound; "max": subject/anchor must be ≤ bound. */
  readonly sense: "min" | "max";
  /** How subject/anchor is taken, when not as the ratio of the two figures' `pick` (their medians). */
  readonly ratioOf?: (subject: Figure, anchor: Figure) => number | undefined;
}

/** req/s (higher is better). */
export const callsPerSec: GoalMetric = { name: "req/s", pick: (f) => f.callsPerSec, sense: "min" };
/** msgs/s (higher is better). */
export const messagesPerSec: GoalMetric = { name: "msgs/s", pick: (f) => f.messagesPerSec, sense: "min" };
/**
 * msgs/s (higher is better), subject/anchor taken run by run and the median of those ratios: for
 * contenders measured side by side (an interleaved group), whose runs share the machine's state.
 */
export const pairedMessagesPerSec: GoalMetric = { name: "msgs/s, median of per-run ratios", pick: (f) => f.messagesPerSec, sense: "min", ratioOf: pairedMessagesRatio };
/** p50 latency (lower is better). */
export const p50: GoalMetric = { name: "p50", pick: (f) => f.p50Us, sense: "max" };
/** p99 latency (lower is better). */
export const p99: GoalMetric = { name: "p99", pick: (f) => f.p99Us, sense: "max" };

/**
 * A goal: metric(subject) / metric(anchor) ≥ bound ("min") or ≤ bound ("max") at every listed point
 * (all points when `points` is omitted). Missing figures make the verdict "not measured".
 */
export function ratioGoal(description: string, subject: string, anchor: string, metric: GoalMetric, bound: number, points?: readonly string[]): Goal {
  return {
    description,
    evaluate(results: ScenarioResults) {
      const ids = points ?? results.points.map((p) => p.id);
      const parts: string[] = [];
      let met: boolean | undefined = true;
      for (const id of ids) {
        const label = results.points.find((p) => p.id === id)?.label ?? id;
        const s = figureOf(results, subject, id);
        const a = figureOf(results, anchor, id);
        const r = metric.ratioOf !== undefined && s !== undefined && a !== undefined ? metric.ratioOf(s, a) : ratio(s && metric.pick(s), a && metric.pick(a));
        if (r === undefined) {
          parts.push(`${label}: not measured`);
          met = undefined;
          continue;
        }
        const ok = metric.sense === "min" ? r >= bound : r <= bound;
        if (!ok && met !== undefined) met = false;
        parts.push(`${label}: ${r.toFixed(2)}×${ok ? "" : " ✗"}`);
      }
      return { met, detail: `${metric.name} (${subject})/(${anchor}) — ${parts.join("; ")}` };
    },
  };
}

/** A goal met only when every part is met (not measured when any part is not measured). */
export function allOf(description: string, parts: readonly Goal[]): Goal {
  return {
    description,
    evaluate(results: ScenarioResults) {
      const verdicts = parts.map((g) => g.evaluate(results));
      const met = verdicts.some((v) => v.met === undefined) ? undefined : verdicts.every((v) => v.met === true);
      return { met, detail: verdicts.map((v) => v.detail).join(" · ") };
    },
  };
}

/**
 * A goal on an absolute value at one point: `pick(figure of subject)` within [min, max] for every
 * subject (e.g. a share of calls). Missing figures make the verdict "not measured".
 */
export function boundGoal(
  description: string,
  subjects: readonly string[],
  point: string,
  metric: { readonly name: string; readonly pick: (f: Figure) => number | undefined },
  bounds: { readonly min?: number; readonly max?: number },
): Goal {
  return {
    description,
    evaluate(results: ScenarioResults) {
      const parts: string[] = [];
      let met: boolean | undefined = true;
      for (const subject of subjects) {
        const figure = figureOf(results, subject, point);
        const value = figure && metric.pick(figure);
        if (value === undefined || !Number.isFinite(value)) {
          parts.push(`${subject}: not measured`);
          met = undefined;
          continue;
        }
        const ok = (bounds.min === undefined || value >= bounds.min) && (bounds.max === undefined || value <= bounds.max);
        if (!ok && met !== undefined) met = false;
        parts.push(`${subject}: ${value.toFixed(3)}${ok ? "" : " ✗"}`);
      }
      return { met, detail: `${metric.name} — ${parts.join("; ")}` };
    },
  };
}

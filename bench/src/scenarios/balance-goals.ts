// Issue 13's goals of the balance scenario: the best Sluice balancer against the fast-only
// reference, and load reports catching an overloaded backend before the client's latency estimate.
import { figureOf, ratio } from "../harness/stats.js";
import type { Goal, ScenarioResults } from "../harness/scenario.js";

/** The Sluice balancers the best-balancer goal chooses from (not pick-first: it is not a balancer). */
const balancers = ["rr", "rand", "wrr", "lr", "ewma", "ewma-finagle", "ring", "ewma-server", "ewma-eject", "lrep"];

/**
 * The best Sluice balancer, at both slow points (`halfway`, `steady`), has p99 ≤ 1.25× and req/s
 * ≥ 0.9× the `fast-only` reference and sends ≤ 0.5 % of calls to the slow backend; the detail lists
 * every balancer's figures.
 */
export const bestBalancerGoal: Goal = {
  description:
    "best Sluice balancer, slow halfway and slow throughout: p99 ≤ 1.25× fast-only, ≤ 0.5 % of calls to the slow backend, req/s ≥ 0.9× fast-only [issue 13]",
  evaluate(results) {
    let measured = true;
    const rows = balancers.map((id) => {
      const parts = ["halfway", "steady"].map((point) => {
        const f = figureOf(results, id, point);
        const ref = figureOf(results, "fast-only", point);
        const p99Ratio = ratio(f?.p99Us, ref?.p99Us);
        const rateRatio = ratio(f?.callsPerSec, ref?.callsPerSec);
        const share = f?.counterShares?.whileSlow?.slow;
        if (p99Ratio === undefined || rateRatio === undefined || share === undefined) {
          measured = false;
          return { ok: false, text: `${point} not measured` };
        }
        const ok = p99Ratio <= 1.25 && share <= 0.005 && rateRatio >= 0.9;
        return { ok, text: `${point} p99 ${p99Ratio.toFixed(2)}× slow ${(share * 100).toFixed(2)} % req/s ${rateRatio.toFixed(2)}×${ok ? "" : " ✗"}` };
      });
      return { id, ok: parts.every((p) => p.ok), text: `${id}: ${parts.map((p) => p.text).join(", ")}` };
    });
    const winners = rows.filter((r) => r.ok).map((r) => r.id);
    const met = winners.length > 0 ? true : measured ? false : undefined;
    return { met, detail: `${winners.length > 0 ? `met by ${winners.join(", ")} — ` : ""}${rows.map((r) => r.text).join(" · ")}` };
  },
};

/** Share of a bucket's calls to the overloaded backend below which a policy has caught the overload. */
const caughtShare = 0.1;
/** Consecutive buckets under {@link caughtShare} that count as traffic moved away (one bucket could be noise). */
export const caughtRun = 3;
/** Buckets after the onset whose shares the detail lists. */
const listedBuckets = 15;
/** Fewest calls a bucket needs for its share to say anything (10 % of 20 is 2 calls). */
const leastBucketCalls = 20;

/**
 * When (ms after the onset, the start of a bucket) `id` moved traffic away from the overloaded
 * backend: the first of {@link caughtRun} consecutive buckets each under {@link caughtShare} of
 * the calls (undefined: never), and its share per bucket for the first buckets after the onset, in
 * percent; undefined when the `overloaded` point has no series for it.
 */
function caughtAfter(results: ScenarioResults, id: string): { ms: number | undefined; shares: string; sparse: boolean } | undefined {
  const series = figureOf(results, id, "overloaded")?.series;
  const shares = series?.toSlow;
  if (shares === undefined || shares.length < 2) return undefined;
  const callsAt = new Map(series?.calls ?? []);
  const after = shares.filter(([t]) => t >= 0);
  // A bucket of too few calls (a slow machine) says nothing; results saved without counts are taken as they are.
  const sparse = callsAt.size > 0 && after.some(([t]) => (callsAt.get(t) ?? 0) < leastBucketCalls);
  let from: number | undefined;
  for (let k = 0; k + caughtRun <= after.length && from === undefined; k++) {
    if (after.slice(k, k + caughtRun).every(([, share]) => share < caughtShare)) from = after[k]![0];
  }
  return { ms: from, shares: after.slice(0, listedBuckets).map(([, s]) => Math.round(s * 100)).join(" "), sparse };
}

/**
 * Load reports (peak-EWMA on the reported latency, or load-report weights) catch a backend that
 * turns overloaded halfway sooner than peak-EWMA on the client's own latency estimate does.
 */
export const overloadCaughtGoal: Goal = {
  description:
    `load reports catch a backend overloaded halfway before the client's latency estimate: ewma-server or lrep moves traffic away from it ` +
    `(under ${caughtShare * 100} % of the calls in ${caughtRun} consecutive buckets) sooner after the onset than ewma [issue 13]`,
  evaluate(results) {
    const caught = ["ewma", "ewma-server", "lrep"].map((id) => ({ id, c: caughtAfter(results, id) }));
    if (caught.some((x) => x.c === undefined)) return { met: undefined, detail: "not measured" };
    const at = (id: string): number => caught.find((x) => x.id === id)?.c?.ms ?? Number.POSITIVE_INFINITY;
    const sparse = caught.some((x) => x.c!.sparse);
    const met = sparse ? undefined : Math.min(at("ewma-server"), at("lrep")) < at("ewma");
    const detail = caught
      .map(({ id, c }) => `${id}: ${c!.ms === undefined ? "not caught" : `moved away ${c!.ms} ms after the onset`} (share to it per bucket after the onset, %: ${c!.shares} …)`)
      .join(" · ");
    return { met, detail: `${sparse ? `not judged: a bucket after the onset had under ${leastBucketCalls} calls (the machine was too slow) — ` : ""}${detail}` };
  },
};

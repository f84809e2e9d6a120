// Issue 13's goals of the balance scenario: the best Sluice balancer against the fast-only
// reference, and load reports catching an overloaded backend before the client's latency estimate.
import { figureOf, median, ratio, seriesOfRuns } from "../harness/stats.js";
import type { Goal, ScenarioResults, ServerSeries } from "../harness/scenario.js";

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
/** Fewest calls a window of buckets needs for its share to say anything (10 % of 20 is 2 calls). */
const leastWindowCalls = 20;

/** A run of consecutive buckets: its start (ms after the onset), calls and calls to the overloaded backend. */
interface Window {
  readonly startMs: number;
  readonly calls: number;
  readonly toSlow: number;
}

/**
 * Consecutive buckets merged, from the onset on, into windows of at least {@link leastWindowCalls}
 * calls each (a trailing remainder under that is dropped). Buckets thin out by design once the
 * backend is overloaded — the load generator keeps a fixed number of calls in flight and those
 * queued at the overloaded backend wait there — so a fixed width would judge shares of a handful
 * of calls.
 */
function windowsOf(after: readonly (readonly [number, number])[], callsAt: ReadonlyMap<number, number>): Window[] {
  const windows: Window[] = [];
  let open: { startMs: number; calls: number; toSlow: number } | undefined;
  for (const [t, share] of after) {
    const calls = callsAt.get(t) ?? 0;
    open ??= { startMs: t, calls: 0, toSlow: 0 };
    open.calls += calls;
    open.toSlow += share * calls;
    if (open.calls >= leastWindowCalls) {
      windows.push(open);
      open = undefined;
    }
  }
  return windows;
}

/**
 * When (ms after the onset, the start of a window) a policy moved traffic away from the overloaded
 * backend in one run's `series`: the first of {@link caughtRun} consecutive windows (see
 * {@link windowsOf}) each under {@link caughtShare} of the calls (undefined: never), and its share
 * per bucket for the first buckets after the onset, in percent; undefined without a `toSlow` series.
 * `sparse`: fewer than {@link caughtRun} windows could be formed, so nothing can be said.
 */
function caughtIn(series: ServerSeries | undefined): { ms: number | undefined; shares: string; sparse: boolean } | undefined {
  const shares = series?.toSlow;
  if (shares === undefined || shares.length < 2) return undefined;
  const after = shares.filter(([t]) => t >= 0);
  // Results saved without call counts are taken bucket by bucket, as they are.
  const windows: Window[] =
    series?.calls === undefined ? after.map(([t, share]) => ({ startMs: t, calls: 1, toSlow: share })) : windowsOf(after, new Map(series.calls));
  let from: number | undefined;
  for (let k = 0; k + caughtRun <= windows.length && from === undefined; k++) {
    if (windows.slice(k, k + caughtRun).every((w) => w.toSlow / w.calls < caughtShare)) from = windows[k]!.startMs;
  }
  const sparse = windows.length < caughtRun;
  return { ms: from, shares: after.slice(0, listedBuckets).map(([, s]) => Math.round(s * 100)).join(" "), sparse };
}

/**
 * When `id` moved traffic away in each run of the `overloaded` point (results saved before every
 * run's series was kept have the first run's only) and the median over runs (never caught: +∞);
 * undefined when the point has no series for it.
 */
function caughtAfter(results: ScenarioResults, id: string): { runs: (number | undefined)[]; medianMs: number; shares: string; sparse: boolean } | undefined {
  const figure = figureOf(results, id, "overloaded");
  const perRun = seriesOfRuns(figure).map(caughtIn);
  if (perRun.length === 0 || perRun.some((c) => c === undefined)) return undefined;
  const runs = perRun.map((c) => c!.ms);
  return {
    runs,
    medianMs: median(runs.map((ms) => ms ?? Number.POSITIVE_INFINITY)),
    shares: perRun[0]!.shares,
    sparse: perRun.some((c) => c!.sparse),
  };
}

/**
 * Load reports (peak-EWMA on the reported latency, or load-report weights) catch a backend that
 * turns overloaded halfway sooner than peak-EWMA on the client's own latency estimate does, in the
 * median over runs.
 */
export const overloadCaughtGoal: Goal = {
  description:
    `load reports catch a backend overloaded halfway before the client's latency estimate: ewma-server or lrep moves traffic away from it ` +
    `(under ${caughtShare * 100} % of the calls in ${caughtRun} consecutive windows of ≥ ${leastWindowCalls} calls) sooner after the onset than ewma, median over runs [issue 13]`,
  evaluate(results) {
    const caught = ["ewma", "ewma-server", "lrep"].map((id) => ({ id, c: caughtAfter(results, id) }));
    if (caught.some((x) => x.c === undefined)) return { met: undefined, detail: "not measured" };
    const at = (id: string): number => caught.find((x) => x.id === id)!.c!.medianMs;
    const sparse = caught.some((x) => x.c!.sparse);
    const met = sparse ? undefined : Math.min(at("ewma-server"), at("lrep")) < at("ewma");
    const msText = (ms: number | undefined): string => (ms === undefined ? "never" : `${ms}`);
    const detail = caught
      .map(({ id, c }) => {
        const when = Number.isFinite(c!.medianMs) ? `moved away ${c!.medianMs} ms after the onset` : "not caught";
        const runs = c!.runs.length > 1 ? ` (runs: ${c!.runs.map(msText).join(" / ")} ms)` : "";
        return `${id}: ${when}${runs} (share to it per bucket after the onset in the first run, %: ${c!.shares} …)`;
      })
      .join(" · ");
    return { met, detail: `${sparse ? `not judged: fewer than ${caughtRun} windows of ${leastWindowCalls} calls after the onset — ` : ""}${detail}` };
  },
};

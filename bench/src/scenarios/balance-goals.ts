// Issue 13's goals of the balance scenario: the best Sluice balancer against the fast-only
// reference, and load reports catching a backend a neighbour overloads before the client's latency estimate.
import { figureOf, median, ratio, seriesOfRuns } from "../harness/stats.js";
import type { Goal, ScenarioResults, ServerSeries } from "../harness/scenario.js";

/** The Sluice balancers the best-balancer goal chooses from (not pick-first: it is not a balancer). */
const balancers = ["rr", "rand", "wrr", "lr", "ewma", "ewma-finagle", "ring", "ewma-server", "ewma-eject", "lrep", "lrep-oob", "ewma-oob"];

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

/** The 500 ms before the onset: a policy's share to the backend then says whether it was avoiding it already. */
const beforeOnsetMs = 500;
/** Least share to the backend before the onset for a policy's moving away to count as catching the overload (fair is 25 %). */
const leastShareBefore = 0.15;

/** The share of the calls to the singled-out backend in the buckets from `fromMs` to before `toMs` (undefined: no calls there). */
function shareBetween(series: ServerSeries, fromMs: number, toMs: number): number | undefined {
  const callsAt = new Map(series.calls ?? []);
  let calls = 0;
  let toSlow = 0;
  for (const [t, share] of series.toSlow ?? []) {
    if (t < fromMs || t >= toMs) continue;
    const n = series.calls === undefined ? 1 : (callsAt.get(t) ?? 0);
    calls += n;
    toSlow += share * n;
  }
  return calls > 0 ? toSlow / calls : undefined;
}

/** When a policy moved traffic away at one point, over runs. */
interface Caught {
  /** Per run: ms after the onset (undefined: never). */
  readonly runs: (number | undefined)[];
  /** Median over runs, never counted as +∞. */
  readonly medianMs: number;
  /** The first run's share per bucket after the onset, in percent. */
  readonly shares: string;
  /** Some run had too few windows to judge. */
  readonly sparse: boolean;
  /** Median over runs of the share to the backend in the {@link beforeOnsetMs} before the onset. */
  readonly shareBefore: number | undefined;
}

/**
 * When `id` moved traffic away in each run of `point` (results saved before every run's series
 * was kept have the first run's only), the median over runs (never caught: +∞) and its share to
 * the backend just before the onset; undefined when the point has no series for it.
 */
function caughtAfter(results: ScenarioResults, id: string, point: string): Caught | undefined {
  const figure = figureOf(results, id, point);
  const runSeries = seriesOfRuns(figure);
  const perRun = runSeries.map(caughtIn);
  if (perRun.length === 0 || perRun.some((c) => c === undefined)) return undefined;
  const runs = perRun.map((c) => c!.ms);
  const before = runSeries.map((s) => shareBetween(s, -beforeOnsetMs, 0)).filter((v): v is number => v !== undefined);
  return {
    runs,
    medianMs: median(runs.map((ms) => ms ?? Number.POSITIVE_INFINITY)),
    shares: perRun[0]!.shares,
    sparse: perRun.some((c) => c!.sparse),
    shareBefore: before.length === 0 ? undefined : median(before),
  };
}

/** The load-report line the goal judges, and the line of the client's own estimate it is judged against. */
const reportLine = "lrep-oob";
const clientLine = "ewma";
/** The lines whose moving away {@link overloadCaughtGoal} times and lists: only their servers keep the time series. */
export const caughtLines: readonly string[] = [clientLine, reportLine, "ewma-oob", "ewma-server", "lrep"];
/** How much sooner the load-report line must move away to count as measurably earlier: one bucket of the `toSlow` series. */
export const earlierByMs = 20;

/** One line of the detail: when `id` moved away at a point, its runs, p99, share while loaded and share just before. */
function caughtText(results: ScenarioResults, id: string, point: string, c: Caught): string {
  const msText = (ms: number | undefined): string => (ms === undefined ? "never" : `${ms}`);
  const f = figureOf(results, id, point);
  const when = Number.isFinite(c.medianMs) ? `moved away ${c.medianMs} ms after the onset` : "not caught";
  const runs = c.runs.length > 1 ? ` (runs: ${c.runs.map(msText).join(" / ")} ms)` : "";
  const figures = [
    f?.p99Us === undefined ? undefined : `p99 ${(f.p99Us / 1000).toFixed(1)} ms`,
    f?.counterShares?.whileSlow?.slow === undefined ? undefined : `${(f.counterShares.whileSlow.slow * 100).toFixed(1)} % of calls to it while loaded`,
    c.shareBefore === undefined ? undefined : `${(c.shareBefore * 100).toFixed(0)} % in the ${beforeOnsetMs} ms before`,
  ].filter((x) => x !== undefined);
  return `${id}: ${when}${runs}, ${figures.join(", ")} (share to it per bucket after the onset in the first run, %: ${c.shares} …)`;
}

/**
 * Load reports catch a backend that a neighbour overloads (load the measured client does not
 * send) before the client's own latency estimate does: at the `neighbour` point the load-report
 * picker on out-of-band reports (`lrep-oob`) moves traffic away at least {@link earlierByMs}
 * sooner after the onset than peak-EWMA on the client's own latency (`ewma`), median over runs,
 * having drawn at least {@link leastShareBefore} of the calls just before the onset (it was not
 * avoiding the backend already). The detail also lists peak-EWMA on the reported latency, the
 * per-call load-report line, and the `overloaded` point (the client's own load), which is not judged.
 */
export const overloadCaughtGoal: Goal = {
  description:
    `load reports catch a backend a neighbour overloads before the client's latency estimate: at the neighbour point ${reportLine} moves traffic away from it ` +
    `(under ${caughtShare * 100} % of the calls in ${caughtRun} consecutive windows of ≥ ${leastWindowCalls} calls) ≥ ${earlierByMs} ms sooner after the onset than ${clientLine}, ` +
    `median over runs, having drawn ≥ ${leastShareBefore * 100} % of the calls in the ${beforeOnsetMs} ms before [issue 13]`,
  evaluate(results) {
    const judged = [clientLine, reportLine].map((id) => ({ id, c: caughtAfter(results, id, "neighbour") }));
    if (judged.some((x) => x.c === undefined)) return { met: undefined, detail: "not measured" };
    const client = judged[0]!.c!;
    const report = judged[1]!.c!;
    const sparse = client.sparse || report.sparse;
    const avoidedBefore = report.shareBefore !== undefined && report.shareBefore < leastShareBefore;
    const met = sparse ? undefined : !avoidedBefore && report.medianMs + earlierByMs <= client.medianMs;
    const lines = (point: string, ids: readonly string[]): string[] =>
      ids.flatMap((id) => {
        const c = caughtAfter(results, id, point);
        return c === undefined ? [] : [`${point} ${caughtText(results, id, point, c)}`];
      });
    const detail = [...lines("neighbour", caughtLines), ...lines("overloaded", caughtLines)];
    const notes = [
      sparse ? `not judged: fewer than ${caughtRun} windows of ${leastWindowCalls} calls after the onset` : undefined,
      avoidedBefore ? `${reportLine} drew under ${leastShareBefore * 100} % before the onset: it was avoiding the backend already` : undefined,
    ].filter((x) => x !== undefined);
    return { met, detail: `${notes.length > 0 ? `${notes.join("; ")} — ` : ""}${detail.join(" · ")}` };
  },
};

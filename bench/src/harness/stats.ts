// Turns the samples of several runs into median figures per (contender, point), and ratio helpers.
import { cdfPoints, decodeHistogram, mergeHistograms, percentiles } from "./histogram.js";
import type { Figure, OpenLoopFigure, Sample, ScenarioResults, ServerCounters, ServerSeries, StallReport } from "./scenario.js";

/** Median of a non-empty list (mean of the middle two for even lengths); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function cpuUs(c: { userUs: number; systemUs: number }): number {
  return c.userUs + c.systemUs;
}

/**
 * Median over the runs of each counter's share of its group; a counter missing from a run counts
 * 0 there, and a group with no calls in a run is left out of that run. Undefined without counters.
 */
export function medianShares(runs: ReadonlyArray<ServerCounters | undefined>): Record<string, Record<string, number>> | undefined {
  const present = runs.filter((r): r is ServerCounters => r !== undefined);
  if (present.length === 0) return undefined;
  const out: Record<string, Record<string, number>> = {};
  const groups = [...new Set(present.flatMap((r) => Object.keys(r)))].sort();
  for (const group of groups) {
    const keys = [...new Set(present.flatMap((r) => Object.keys(r[group] ?? {})))].sort();
    const totals = present.map((r) => Object.values(r[group] ?? {}).reduce((sum, n) => sum + n, 0));
    out[group] = Object.fromEntries(
      keys.map((k) => [k, median(present.flatMap((r, i) => (totals[i]! > 0 ? [(r[group]?.[k] ?? 0) / totals[i]!] : [])))]),
    );
  }
  return out;
}

/** Percentiles of an encoded histogram; undefined when absent or empty (no time to report). */
function timesOf(encoded: string | undefined): ReturnType<typeof percentiles> | undefined {
  if (encoded === undefined) return undefined;
  const histogram = decodeHistogram(encoded);
  return histogram.totalCount === 0 ? undefined : percentiles(histogram);
}

/** Medians over runs of the open-loop outcomes; undefined when the samples are closed-loop. */
export function openLoopFigure(samples: readonly Sample[]): OpenLoopFigure | undefined {
  const runs = samples.filter((s) => s.client.openLoop !== undefined);
  if (runs.length === 0) return undefined;
  const per = runs.map((s) => {
    const o = s.client.openLoop!;
    const seconds = s.client.elapsedMs / 1000;
    const offered = Math.max(1, o.offered);
    const reject = percentiles(decodeHistogram(o.rejectHistogram));
    const atCaller = timesOf(o.callerRejectHistogram);
    const atServer = timesOf(o.serverRejectHistogram);
    return {
      offeredPerSec: o.offered / seconds,
      goodputPerSec: s.client.calls / seconds,
      rejectedShare: o.rejected / offered,
      failedShare: o.failed / offered,
      rejectP50Us: reject.p50,
      rejectP99Us: reject.p99,
      callerLimitAtEnd: o.callerLimitAtEnd,
      callerRejectedShare: o.callerRejected === undefined ? undefined : o.callerRejected / offered,
      callerRejectP50Us: atCaller?.p50,
      callerRejectP99Us: atCaller?.p99,
      serverRejectP50Us: atServer?.p50,
      serverRejectP99Us: atServer?.p99,
      clientCpuShare: cpuUs(s.client.resources.cpu) / (s.client.elapsedMs * 1000),
      serverCpuShare: cpuUs(s.server.cpu) / (s.client.elapsedMs * 1000),
    };
  });
  const m = (pick: (x: (typeof per)[number]) => number): number => median(per.map(pick));
  /** The median over the runs that measured it (a run with no shed of that kind has no time for it). */
  const some = (pick: (x: (typeof per)[number]) => number | undefined): number | undefined => {
    const values = per.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return values.length === 0 ? undefined : median(values);
  };
  const split = {
    callerLimitAtEnd: some((x) => x.callerLimitAtEnd),
    callerRejectedShare: some((x) => x.callerRejectedShare),
    callerRejectP50Us: some((x) => x.callerRejectP50Us),
    callerRejectP99Us: some((x) => x.callerRejectP99Us),
    serverRejectP50Us: some((x) => x.serverRejectP50Us),
    serverRejectP99Us: some((x) => x.serverRejectP99Us),
  };
  return {
    ...Object.fromEntries(Object.entries(split).filter(([, v]) => v !== undefined)),
    offeredPerSec: m((x) => x.offeredPerSec),
    goodputPerSec: m((x) => x.goodputPerSec),
    rejectedShare: m((x) => x.rejectedShare),
    failedShare: m((x) => x.failedShare),
    rejectP50Us: m((x) => x.rejectP50Us),
    rejectP99Us: m((x) => x.rejectP99Us),
    clientCpuShare: m((x) => x.clientCpuShare),
    serverCpuShare: m((x) => x.serverCpuShare),
  };
}

/** Median over runs of each server gauge; undefined when no run has gauges. */
export function medianGauges(samples: readonly Sample[]): Record<string, number> | undefined {
  const runs = samples.flatMap((s) => (s.server.gauges !== undefined ? [s.server.gauges] : []));
  if (runs.length === 0) return undefined;
  const names = [...new Set(runs.flatMap((g) => Object.keys(g)))].sort();
  return Object.fromEntries(names.map((n) => [n, median(runs.flatMap((g) => (g[n] !== undefined ? [g[n]!] : [])))]));
}

/** Field-wise medians of the stall reports present; undefined when no sample has one. */
export function medianStalls(reports: ReadonlyArray<StallReport | undefined>): StallReport | undefined {
  const present = reports.filter((r): r is StallReport => r !== undefined);
  if (present.length === 0) return undefined;
  const m = (pick: (s: StallReport) => number): number => median(present.map(pick));
  const waits = present.flatMap((s) => (s.runQueueWaitMsPerS !== undefined ? [s.runQueueWaitMsPerS] : []));
  return {
    loopDelayP99Ms: m((s) => s.loopDelayP99Ms),
    loopDelayMaxMs: m((s) => s.loopDelayMaxMs),
    gcPauseMaxMs: m((s) => s.gcPauseMaxMs),
    gcPauseMsPerS: m((s) => s.gcPauseMsPerS),
    ...(waits.length > 0 ? { runQueueWaitMsPerS: median(waits) } : {}),
  };
}

/** Median figures of the samples of one (contender, point); undefined when there are none. */
export function aggregate(samples: readonly Sample[]): Figure | undefined {
  if (samples.length === 0) return undefined;
  const { contender, point } = samples[0];
  const per = samples.map((s) => {
    const seconds = s.client.elapsedMs / 1000;
    const calls = Math.max(1, s.client.calls);
    const messages = Math.max(1, s.client.messages);
    return {
      callsPerSec: s.client.calls / seconds,
      messagesPerSec: s.client.messages / seconds,
      ...percentiles(decodeHistogram(s.client.histogram)),
      clientCpuUsPerCall: cpuUs(s.client.resources.cpu) / calls,
      serverCpuUsPerCall: cpuUs(s.server.cpu) / calls,
      clientCpuUsPerMessage: cpuUs(s.client.resources.cpu) / messages,
      serverCpuUsPerMessage: cpuUs(s.server.cpu) / messages,
      clientPeakRssBytes: s.client.resources.peakRssBytes,
      serverPeakRssBytes: s.server.peakRssBytes,
    };
  });
  const m = (pick: (x: (typeof per)[number]) => number): number => median(per.map(pick));
  return {
    contender,
    point,
    runs: samples.length,
    callsPerSec: m((x) => x.callsPerSec),
    messagesPerSec: m((x) => x.messagesPerSec),
    p50Us: m((x) => x.p50),
    p90Us: m((x) => x.p90),
    p99Us: m((x) => x.p99),
    p999Us: m((x) => x.p999),
    clientCpuUsPerCall: m((x) => x.clientCpuUsPerCall),
    serverCpuUsPerCall: m((x) => x.serverCpuUsPerCall),
    clientCpuUsPerMessage: m((x) => x.clientCpuUsPerMessage),
    serverCpuUsPerMessage: m((x) => x.serverCpuUsPerMessage),
    clientPeakRssBytes: m((x) => x.clientPeakRssBytes),
    serverPeakRssBytes: m((x) => x.serverPeakRssBytes),
    ...optional("clientStalls", medianStalls(samples.map((s) => s.client.resources.stalls))),
    ...optional("serverStalls", medianStalls(samples.map((s) => s.server.stalls))),
    ...(samples.some((s) => s.server.counters !== undefined) ? { counterShares: medianShares(samples.map((s) => s.server.counters)) } : {}),
    cdf: cdfPoints(mergeHistograms(samples.map((s) => s.client.histogram))),
    ...optional("openLoop", openLoopFigure(samples)),
    ...optional("gauges", medianGauges(samples)),
    ...optional("runSeries", runSeriesOf(samples)),
    runMessagesPerSec: samples.map((s, i) => [s.run, per[i]!.messagesPerSec] as const).sort((x, y) => x[0] - y[0]),
  };
}

/**
 * The median over runs of subject/anchor msgs/s, each ratio of two figures of the same run (a drift
 * of the machine between runs cancels out); the ratio of the medians for results saved before runs
 * were kept. Undefined when either figure is missing or no run has both.
 */
export function pairedMessagesRatio(subject: Figure | undefined, anchor: Figure | undefined): number | undefined {
  if (subject === undefined || anchor === undefined) return undefined;
  if (subject.runMessagesPerSec === undefined || anchor.runMessagesPerSec === undefined) return ratio(subject.messagesPerSec, anchor.messagesPerSec);
  const anchorOf = new Map(anchor.runMessagesPerSec);
  const ratios = subject.runMessagesPerSec.flatMap(([run, msgs]) => {
    const r = ratio(msgs, anchorOf.get(run));
    return r === undefined ? [] : [r];
  });
  return ratios.length === 0 ? undefined : median(ratios);
}

/** Each run's server time series, in run order; undefined when no run has one. */
function runSeriesOf(samples: readonly Sample[]): ServerSeries[] | undefined {
  const all = samples.flatMap((s) => (s.server.series === undefined ? [] : [s.server.series]));
  return all.length === 0 ? undefined : all;
}

/** The server's time series of each run of `figure` (of its first run only in results saved before every run's was kept). */
export function seriesOfRuns(figure: Figure | undefined): readonly ServerSeries[] {
  return figure?.runSeries ?? (figure?.series === undefined ? [] : [figure.series]);
}

/** `{ [key]: value }`, or `{}` when the value is undefined (keeps absent fields out of the JSON). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The figure of a contender at a point, if it was measured. */
export function figureOf(results: ScenarioResults, contender: string, point: string): Figure | undefined {
  return results.figures.find((f) => f.contender === contender && f.point === point);
}

/** subject / anchor, or undefined when either is missing or the anchor is zero. */
export function ratio(subject: number | undefined, anchor: number | undefined): number | undefined {
  if (subject === undefined || anchor === undefined || anchor === 0 || !Number.isFinite(subject)) return undefined;
  return subject / anchor;
}

// Several server processes' reports of one measured window as one: CPU, RSS and counters added
// up, stalls of the worst process.
import type { ResourceReport, ServerCounters, ServerReport, StallReport } from "./scenario.js";

/** The counters of `reports` added up, group by group; undefined when none has counters. */
export function addCounters(reports: readonly ServerReport[]): ServerCounters | undefined {
  const present = reports.flatMap((r) => (r.counters !== undefined ? [r.counters] : []));
  if (present.length === 0) return undefined;
  const out: Record<string, Record<string, number>> = {};
  for (const counters of present) {
    for (const [group, values] of Object.entries(counters)) {
      const sums = (out[group] ??= {});
      for (const [name, n] of Object.entries(values)) sums[name] = (sums[name] ?? 0) + n;
    }
  }
  return out;
}

/** Field by field, the worst of the stall reports present; undefined when none has one. */
export function worstStalls(reports: readonly ResourceReport[]): StallReport | undefined {
  const present = reports.flatMap((r) => (r.stalls !== undefined ? [r.stalls] : []));
  if (present.length === 0) return undefined;
  const max = (pick: (s: StallReport) => number | undefined): number | undefined => {
    const values = present.flatMap((s) => (pick(s) !== undefined ? [pick(s)!] : []));
    return values.length === 0 ? undefined : Math.max(...values);
  };
  const wait = max((s) => s.runQueueWaitMsPerS);
  return {
    loopDelayP99Ms: max((s) => s.loopDelayP99Ms)!,
    loopDelayMaxMs: max((s) => s.loopDelayMaxMs)!,
    gcPauseMaxMs: max((s) => s.gcPauseMaxMs)!,
    gcPauseMsPerS: max((s) => s.gcPauseMsPerS)!,
    ...(wait !== undefined ? { runQueueWaitMsPerS: wait } : {}),
  };
}

/**
 * One report for several processes: CPU time, peak RSS and counters added up, stalls of the worst
 * process, gauges and series of the first process that has them.
 */
export function mergeServerReports(reports: readonly ServerReport[]): ServerReport {
  if (reports.length === 1) return reports[0]!;
  const counters = addCounters(reports);
  const stalls = worstStalls(reports);
  const gauges = reports.find((r) => r.gauges !== undefined)?.gauges;
  const series = reports.find((r) => r.series !== undefined)?.series;
  return {
    cpu: {
      userUs: reports.reduce((sum, r) => sum + r.cpu.userUs, 0),
      systemUs: reports.reduce((sum, r) => sum + r.cpu.systemUs, 0),
    },
    peakRssBytes: reports.reduce((sum, r) => sum + r.peakRssBytes, 0),
    ...(stalls !== undefined ? { stalls } : {}),
    ...(counters !== undefined ? { counters } : {}),
    ...(gauges !== undefined ? { gauges } : {}),
    ...(series !== undefined ? { series } : {}),
  };
}

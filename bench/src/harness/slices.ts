// One contender's slices of an interleaved point as one sample: calls, messages, time and CPU added
// up, latency histograms merged, peak RSS and stalls the worst slice's.
import { encodeHistogram, mergeHistograms } from "./histogram.js";
import type { PhaseResult, ServerReport } from "./scenario.js";
import { addCounters, worstStalls } from "./server-reports.js";

/**
 * The load generator's slices as one phase: calls, messages, elapsed time and CPU time added up
 * (msgs/s is then the messages over the time spent measuring), histograms merged, the largest
 * peak RSS, the worst stalls. Closed-loop phases only.
 */
export function mergeSliceResults(slices: readonly PhaseResult[]): PhaseResult {
  if (slices.length === 0) throw new Error("mergeSliceResults: no slices");
  if (slices.length === 1) return slices[0]!;
  if (slices.some((s) => s.openLoop !== undefined)) throw new Error("mergeSliceResults: open-loop phases are not sliced");
  const stalls = worstStalls(slices.map((s) => s.resources));
  return {
    calls: slices.reduce((sum, s) => sum + s.calls, 0),
    messages: slices.reduce((sum, s) => sum + s.messages, 0),
    elapsedMs: slices.reduce((sum, s) => sum + s.elapsedMs, 0),
    histogram: encodeHistogram(mergeHistograms(slices.map((s) => s.histogram))),
    resources: {
      cpu: {
        userUs: slices.reduce((sum, s) => sum + s.resources.cpu.userUs, 0),
        systemUs: slices.reduce((sum, s) => sum + s.resources.cpu.systemUs, 0),
      },
      peakRssBytes: Math.max(...slices.map((s) => s.resources.peakRssBytes)),
      ...(stalls !== undefined ? { stalls } : {}),
    },
  };
}

/**
 * The server's reports of the slices as one: CPU time and counters added up, the largest peak RSS,
 * the worst stalls, the last slice's gauges, the first slice's series.
 */
export function mergeSliceReports(slices: readonly ServerReport[]): ServerReport {
  if (slices.length === 0) throw new Error("mergeSliceReports: no slices");
  if (slices.length === 1) return slices[0]!;
  const counters = addCounters(slices);
  const stalls = worstStalls(slices);
  const gauges = [...slices].reverse().find((r) => r.gauges !== undefined)?.gauges;
  const series = slices.find((r) => r.series !== undefined)?.series;
  return {
    cpu: {
      userUs: slices.reduce((sum, r) => sum + r.cpu.userUs, 0),
      systemUs: slices.reduce((sum, r) => sum + r.cpu.systemUs, 0),
    },
    peakRssBytes: Math.max(...slices.map((r) => r.peakRssBytes)),
    ...(stalls !== undefined ? { stalls } : {}),
    ...(counters !== undefined ? { counters } : {}),
    ...(gauges !== undefined ? { gauges } : {}),
    ...(series !== undefined ? { series } : {}),
  };
}

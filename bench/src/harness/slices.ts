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

/**
 * A cycle of orders in which `n` contenders take slices, balanced (a Williams design): over the
 * cycle each contender takes each position equally often and directly follows each other contender
 * equally often, so what one leaves behind (a GC, full socket buffers) does not always land on the
 * same other one. `n` orders for an even `n`, `2n` for an odd one (for three: all six orders).
 */
export function sliceCycle(n: number): number[][] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`sliceCycle: n must be a positive integer, got ${n}`);
  // First row 0, n-1, 1, n-2, 2, …: its steps k→k+1 take every difference mod n once; adding i
  // shifts it, so every ordered pair is adjacent once over n rows (for odd n, once more reversed).
  const first = Array.from({ length: n }, (_, j) => (j % 2 === 0 ? j / 2 : n - (j + 1) / 2));
  const rows = Array.from({ length: n }, (_, i) => first.map((k) => (k + i) % n));
  return n % 2 === 0 || n === 1 ? rows : [...rows, ...rows.map((row) => [...row].reverse())];
}

/** The order in which `n` contenders take slice `i`: the next order of {@link sliceCycle}, cycling. */
export function sliceOrder(n: number, i: number): number[] {
  const cycle = sliceCycle(n);
  return cycle[((i % cycle.length) + cycle.length) % cycle.length]!;
}

/**
 * Slices to measure `n` contenders in: `wanted` rounded up to whole cycles of {@link sliceCycle}, so
 * that the orders stay balanced.
 */
export function sliceCount(n: number, wanted: number): number {
  if (!Number.isInteger(wanted) || wanted < 1) throw new Error(`sliceCount: wanted must be a positive integer, got ${wanted}`);
  const cycle = sliceCycle(n).length;
  return Math.ceil(wanted / cycle) * cycle;
}


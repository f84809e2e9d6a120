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
 * The order in which `n` contenders take slice `i`: the permutations of 0…n-1 in lexicographic
 * order, one per slice, cycling. Over n! slices each contender is first, second, … equally often
 * and follows each other contender within a slice equally often, so what one leaves behind (a GC,
 * full socket buffers) does not always land on the same other one.
 */
export function sliceOrder(n: number, i: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`sliceOrder: n must be a positive integer, got ${n}`);
  const left = Array.from({ length: n }, (_, k) => k);
  let factorial = 1;
  for (let k = 2; k <= n; k++) factorial *= k;
  // Digits of i mod n! in the factorial number system pick from the contenders left.
  let rank = ((i % factorial) + factorial) % factorial;
  const order: number[] = [];
  for (let k = n; k >= 1; k--) {
    factorial /= k;
    const digit = Math.floor(rank / factorial);
    rank %= factorial;
    order.push(left.splice(digit, 1)[0]!);
  }
  return order;
}

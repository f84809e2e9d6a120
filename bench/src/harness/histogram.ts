// Latency histograms (hdr-histogram-js, µs): creation, transfer over IPC, merge and CDF points.
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from "hdr-histogram-js";

/** Highest latency the histograms track: 120 s in µs. */
const HIGHEST_US = 120_000_000;

/** Creates an empty latency histogram in µs with 3 significant digits. */
export function createLatencyHistogram(): Histogram {
  return build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Records one latency (µs), clamped into the tracked range. */
export function recordLatency(histogram: Histogram, us: number): void {
  histogram.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(us))));
}

/** Encodes a histogram for IPC and result files. */
export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

/** Decodes a histogram produced by `encodeHistogram`. */
export function decodeHistogram(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded, 32, false);
}

/** Percentiles of a histogram, µs. */
export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
}

/** Reads p50/p90/p99/p99.9 from a histogram (zeros when it is empty). */
export function percentiles(histogram: Histogram): Percentiles {
  if (histogram.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0 };
  return {
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
  };
}

/** Merges encoded histograms into one. */
export function mergeHistograms(encoded: readonly string[]): Histogram {
  const merged = createLatencyHistogram();
  for (const e of encoded) merged.add(decodeHistogram(e));
  return merged;
}

/** CDF points [latency µs, fraction] on a grid dense in the tail (up to 99.99 %). */
export function cdfPoints(histogram: Histogram): Array<[number, number]> {
  if (histogram.totalCount === 0) return [];
  const grid: number[] = [];
  for (let p = 0; p < 90; p += 2.5) grid.push(p);
  for (let p = 90; p < 99; p += 0.5) grid.push(p);
  for (let p = 99; p < 99.9; p += 0.1) grid.push(p);
  grid.push(99.9, 99.95, 99.99, 100);
  return grid.map((p) => [histogram.getValueAtPercentile(p), Math.min(1, p / 100)]);
}

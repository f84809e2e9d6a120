// Envoy's adaptive-concurrency gradient controller: a minRTT measured at low concurrency and
// re-measured on an interval, and every update interval `limit × g + √(limit × g)` with
// g = (minRTT × (1 + buffer)) / sampleRTT clamped to [0.5, 2].
import type { LimitAlgorithm } from "./limit-algorithm.js";
import { numberOption, orderedOptions } from "./validate.js";

/** Options of {@link createEnvoyGradientLimit}; defaults are Envoy's. */
export interface EnvoyGradientLimitOptions {
  /** How often the limit is recomputed from the window's samples, ms (default 100). */
  readonly updateIntervalMs?: number;
  /** Percentile of a window's RTTs taken as its sample RTT, in (0, 100] (default 50). */
  readonly samplePercentile?: number;
  /** How often the minRTT is re-measured, ms (default 60 000). */
  readonly minRttIntervalMs?: number;
  /** Calls sampled to measure the minRTT (default 50). */
  readonly minRttRequestCount?: number;
  /** Random delay added to each re-measure, as a percentage of the interval, in [0, 100] (default 10). */
  readonly jitterPercent?: number;
  /** Limit while the minRTT is measured, and the least limit (default 3). */
  readonly minConcurrency?: number;
  /** Latency above the minRTT still counted as no queueing, percent (default 25). */
  readonly bufferPercent?: number;
  /** Greatest limit (default 1000). */
  readonly maxLimit?: number;
  /** Monotonic clock in milliseconds. */
  readonly now: () => number;
  /** Source of randomness for the jitter, in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

/** Consecutive windows at the least limit that start a new minRTT measurement (as Envoy). */
const WINDOWS_AT_MIN_BEFORE_REMEASURE = 5;

/** The `p`-th percentile (nearest rank) of `values`, which it sorts. @private */
export function percentile(values: number[], p: number): number {
  values.sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * values.length));
  return values[rank - 1] as number;
}

/** An Envoy gradient limit, with its current minRTT for stats and tests. */
export interface EnvoyGradientLimit extends LimitAlgorithm {
  /** The measured minRTT (ms), or undefined before the first measurement ends. */
  readonly minRttMs: number | undefined;
  /** Whether the minRTT is being measured now (the limit is pinned to `minConcurrency`). */
  readonly measuring: boolean;
}

/**
 * Creates Envoy's gradient controller. It starts by measuring the minRTT: the limit is pinned to
 * `minConcurrency` until `minRttRequestCount` calls admitted since the measurement began have
 * ended; the minRTT is their `samplePercentile`. Then, at each sample or read after
 * `updateIntervalMs` has passed, the window's sample RTT (same percentile) gives
 * `g = clamp(minRTT × (1 + bufferPercent/100) / sampleRTT, 0.5, 2)` and
 * `limit = floor(clamp(limit × g + √(limit × g), minConcurrency, maxLimit))`. A new measurement
 * starts every `minRttIntervalMs` (plus jitter) or after 5 windows in a row at `minConcurrency`;
 * the limit from before it is restored when it ends.
 * @throws Error naming the field when an option is out of range.
 */
export function createEnvoyGradientLimit(options: EnvoyGradientLimitOptions): EnvoyGradientLimit {
  const { now } = options;
  if (typeof now !== "function") throw new Error("now: must be a function returning milliseconds");
  const updateIntervalMs = numberOption("updateIntervalMs", options.updateIntervalMs, 100, { min: 0, minExclusive: true });
  const samplePercentile = numberOption("samplePercentile", options.samplePercentile, 50, { min: 0, minExclusive: true, max: 100 });
  const minRttIntervalMs = numberOption("minRttIntervalMs", options.minRttIntervalMs, 60_000, { min: 0, minExclusive: true });
  const minRttRequestCount = numberOption("minRttRequestCount", options.minRttRequestCount, 50, { min: 1, integer: true });
  const jitterPercent = numberOption("jitterPercent", options.jitterPercent, 10, { min: 0, max: 100 });
  const minConcurrency = numberOption("minConcurrency", options.minConcurrency, 3, { min: 1, integer: true });
  const bufferPercent = numberOption("bufferPercent", options.bufferPercent, 25, { min: 0 });
  const maxLimit = numberOption("maxLimit", options.maxLimit, 1000, { min: 1, integer: true });
  orderedOptions("minConcurrency", minConcurrency, "maxLimit", maxLimit);
  const random = options.random ?? Math.random;

  let limit = minConcurrency;
  let restoreLimit = minConcurrency;
  let measuring = true;
  let measureStart = now();
  let minRtt: number | undefined;
  let nextMeasureAt = Number.POSITIVE_INFINITY;
  let windowStart = measureStart;
  let windowsAtMin = 0;
  let samples: number[] = [];

  const startMeasuring = (t: number): void => {
    measuring = true;
    restoreLimit = limit;
    limit = minConcurrency;
    measureStart = t;
    samples = [];
  };

  const finishMeasuring = (t: number): void => {
    minRtt = percentile(samples, samplePercentile);
    measuring = false;
    limit = restoreLimit;
    samples = [];
    windowStart = t;
    windowsAtMin = 0;
    nextMeasureAt = t + minRttIntervalMs + random() * minRttIntervalMs * (jitterPercent / 100);
  };

  const advance = (t: number): void => {
    if (measuring) return;
    if (t - windowStart < updateIntervalMs) return;
    if (samples.length > 0 && minRtt !== undefined) {
      const sampleRtt = percentile(samples, samplePercentile);
      const gradient = Math.max(0.5, Math.min(2, (minRtt * (1 + bufferPercent / 100)) / sampleRtt));
      const scaled = limit * gradient;
      limit = Math.floor(Math.max(minConcurrency, Math.min(maxLimit, scaled + Math.sqrt(scaled))));
      windowsAtMin = limit === minConcurrency ? windowsAtMin + 1 : 0;
    }
    samples = [];
    windowStart = t;
    if (t >= nextMeasureAt || windowsAtMin >= WINDOWS_AT_MIN_BEFORE_REMEASURE) startMeasuring(t);
  };

  return {
    name: "envoy-gradient",
    get limit() {
      advance(now());
      return limit;
    },
    get minRttMs() {
      return minRtt;
    },
    get measuring() {
      return measuring;
    },
    onSample(sample) {
      if (!(sample.rttMs > 0)) return;
      const t = now();
      if (measuring) {
        if (sample.startMs < measureStart) return;
        samples.push(sample.rttMs);
        if (samples.length >= minRttRequestCount) finishMeasuring(t);
        return;
      }
      advance(t);
      if (!measuring) samples.push(sample.rttMs);
    },
  };
}

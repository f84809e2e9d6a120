// Adaptive hedging delay: a percentile (p95 by default) of a method's recent latencies, from a
// bounded ring of the last samples that also ages out old ones, raised (up to 4× the median) while
// more calls hedge than the percentile promises, clamped to a floor and a ceiling.
import { createHedgeRateGovernor } from "./hedge-rate-governor.js";

/**
 * The governor raises the delay to at most this many times the median latency: it is for tight
 * distributions, where short disturbances push runs of calls past a percentile close to the
 * median. Where the percentile is already far above the median the tail is real, and delaying
 * its hedges further would let slow calls through unhedged.
 */
const maxRaiseOverMedian = 4;

/**
 * The governor lets calls hedge up to this many times the share the percentile promises (3 % for
 * p98) before raising the delay: it is there to stop runaway hedging (9 % at p98 in a quiet tail
 * bench), and holding the rate to exactly 1 − p raised the delay of the hiccups' hedges too.
 */
const hedgeRateTolerance = 1.5;

/** Options of {@link createHedgingDelayEstimator}. */
export interface HedgingDelayOptions {
  /** Percentile of recent latencies to hedge after, in (0, 1) (default 0.95). */
  readonly percentile?: number;
  /** Samples kept: the last N latencies (integer 10 to 100000; default 1000). */
  readonly windowSize?: number;
  /** Samples older than this are ignored, in ms (default 30000). */
  readonly windowMs?: number;
  /** Samples needed before the estimate is used (integer >= 1, <= windowSize; default 20). */
  readonly minSamples?: number;
  /** Least delay returned, in ms (>= 0; default 1), so a burst of fast calls cannot make every call hedge. */
  readonly floorMs?: number;
  /** Largest delay returned, in ms (>= floorMs; default unbounded). */
  readonly ceilingMs?: number;
  /** Delay while there are fewer than `minSamples` samples, in ms (>= 0): the policy's fixed `hedgingDelayMs`. */
  readonly fallbackMs: number;
  /** Recompute the percentile after this many new samples (integer >= 1; default 50), or when samples age out. */
  readonly recomputeEvery?: number;
}

/** Where an estimator stands. */
export interface HedgingDelayStats {
  /** Samples in the window now. */
  readonly samples: number;
  /** The window's percentile in ms before the multiplier, floor and ceiling; `undefined` below `minSamples`. */
  readonly percentileMs: number | undefined;
  /** The window's median in ms; `undefined` below `minSamples`. */
  readonly medianMs: number | undefined;
  /** What the percentile is multiplied by (>= 1, up to 4× the median) to hold the hedge rate to 1.5 × (1 − percentile). */
  readonly multiplier: number;
  /** Share of recent calls that hedged after the delay (see {@link HedgingDelayEstimator.recordCall}). */
  readonly hedgeRate: number;
  /** What `delayMs()` returns now. */
  readonly delayMs: number;
}

/** Learns a method's latency and says how long to wait before hedging. */
export interface HedgingDelayEstimator {
  /** Records one completed attempt's latency, in ms (negative or non-finite values are ignored). */
  record(latencyMs: number): void;
  /**
   * Records one call: whether it sent a hedge because the delay passed (once per call, when the
   * hedge goes out or when the call ends without one). Calls recorded while samples are fewer than
   * `minSamples` (the fixed fallback delay) do not steer the adaptive delay.
   */
  recordCall(hedged: boolean): void;
  /**
   * The delay before the next hedge: the percentile, raised to percentile × multiplier but not
   * beyond 4 × the median, clamped to [floorMs, ceilingMs]; `fallbackMs` while samples are few.
   */
  delayMs(): number;
  stats(): HedgingDelayStats;
}

/**
 * Creates an adaptive hedging-delay estimator. The percentile is the nearest-rank one
 * (the ⌈p × n⌉-th smallest of n samples), recomputed every `recomputeEvery` samples or when
 * samples age past `windowMs`, so `delayMs()` is O(1) between recomputations. The percentile
 * promises that about 1 − p of calls hedge; a hedge-rate governor (hedge-rate-governor.ts) holds
 * it to that promise, with a tolerance of 1.5× (3 % for p98), by raising the delay above the
 * percentile while more calls hedge, up to 4× the median latency (never below the percentile).
 *
 * @param now - monotonic clock in milliseconds.
 * @throws Error naming `hedge.<field>` and the accepted values.
 * @example
 * const estimator = createHedgingDelayEstimator({ fallbackMs: 50 }, () => performance.now());
 * estimator.record(12.5);
 * setTimeout(sendHedge, estimator.delayMs());
 */
export function createHedgingDelayEstimator(options: HedgingDelayOptions, now: () => number): HedgingDelayEstimator {
  const percentile = options.percentile ?? 0.95;
  const windowSize = options.windowSize ?? 1000;
  const windowMs = options.windowMs ?? 30_000;
  const minSamples = options.minSamples ?? 20;
  const floorMs = options.floorMs ?? 1;
  const ceilingMs = options.ceilingMs ?? Number.POSITIVE_INFINITY;
  const recomputeEvery = options.recomputeEvery ?? 50;
  const { fallbackMs } = options;
  const check = (ok: boolean, field: string, accepted: string, value: unknown): void => {
    if (!ok) throw new Error(`hedge.${field}: must be ${accepted}, got ${String(value)}`);
  };
  check(percentile > 0 && percentile < 1, "percentile", "a number in (0, 1)", options.percentile);
  check(Number.isInteger(windowSize) && windowSize >= 10 && windowSize <= 100_000, "windowSize", "an integer from 10 to 100000", options.windowSize);
  check(Number.isFinite(windowMs) && windowMs > 0, "windowMs", "a finite number of milliseconds > 0", options.windowMs);
  check(Number.isInteger(minSamples) && minSamples >= 1 && minSamples <= windowSize, "minSamples", `an integer from 1 to windowSize (${windowSize})`, options.minSamples);
  check(Number.isFinite(floorMs) && floorMs >= 0, "floorMs", "a finite number >= 0", options.floorMs);
  check(ceilingMs >= floorMs, "ceilingMs", `a number >= floorMs (${floorMs})`, options.ceilingMs);
  check(Number.isFinite(fallbackMs) && fallbackMs >= 0, "fallbackMs", "a finite number of milliseconds >= 0", fallbackMs);
  check(Number.isInteger(recomputeEvery) && recomputeEvery >= 1, "recomputeEvery", "an integer >= 1", options.recomputeEvery);

  const promised = 1 - percentile;
  // Tolerance above the promise, kept below 1 for low percentiles.
  const governor = createHedgeRateGovernor({ targetRate: Math.min(promised * hedgeRateTolerance, 1 - (1 - promised) / hedgeRateTolerance) });
  const values = new Float64Array(windowSize);
  const times = new Float64Array(windowSize);
  /** Where the window is copied and sorted at each recomputation (no allocation per recomputation). */
  const scratch = new Float64Array(windowSize);
  let start = 0; // index of the oldest sample
  let count = 0;
  let sinceCompute = 0;
  let cached: number | undefined;
  let median: number | undefined;
  let dirty = true;

  function expire(): void {
    const cutoff = now() - windowMs;
    while (count > 0 && times[start] <= cutoff) {
      start = (start + 1) % windowSize;
      count--;
      dirty = true;
    }
  }

  function current(): number | undefined {
    expire();
    if (dirty || sinceCompute >= recomputeEvery) {
      dirty = false;
      sinceCompute = 0;
      if (count < minSamples) {
        cached = undefined;
        median = undefined;
      } else {
        const sorted = scratch.subarray(0, count);
        for (let i = 0; i < count; i++) sorted[i] = values[(start + i) % windowSize];
        sorted.sort();
        cached = sorted[Math.ceil(percentile * count) - 1];
        median = sorted[Math.ceil(0.5 * count) - 1];
      }
    }
    return cached;
  }

  function delay(p: number | undefined): number {
    if (p === undefined) return fallbackMs;
    const raised = Math.max(p, Math.min(p * governor.multiplier(), maxRaiseOverMedian * (median ?? p)));
    return Math.min(ceilingMs, Math.max(floorMs, raised));
  }

  return {
    record(latencyMs) {
      if (!(Number.isFinite(latencyMs) && latencyMs >= 0)) return;
      const at = now();
      if (count === windowSize) {
        start = (start + 1) % windowSize;
        count--;
      }
      const i = (start + count) % windowSize;
      values[i] = latencyMs;
      times[i] = at;
      count++;
      sinceCompute++;
      // Until the estimate exists, every sample may be the one that makes it.
      if (cached === undefined) dirty = true;
    },
    recordCall(hedged) {
      if (cached !== undefined) governor.recordCall(hedged);
    },
    delayMs() {
      return delay(current());
    },
    stats() {
      const p = current();
      const { multiplier, hedgeRate } = governor.stats();
      return { samples: count, percentileMs: p, medianMs: p === undefined ? undefined : median, multiplier, hedgeRate, delayMs: delay(p) };
    },
  };
}

// Gradient2 concurrency limit, as Netflix's concurrency-limits Gradient2Limit: compares the latest
// RTT with a long-window EWMA of RTTs and scales the limit by that gradient, plus a small queue.
import type { LimitAlgorithm } from "./limit-algorithm.js";
import { limitBounds, numberOption } from "./validate.js";

/** Options of {@link createGradient2Limit}; defaults are Netflix's. */
export interface Gradient2LimitOptions {
  /** Starting limit (default 20). */
  readonly initialLimit?: number;
  /** Least limit (default 20). */
  readonly minLimit?: number;
  /** Greatest limit (default 200). */
  readonly maxLimit?: number;
  /** Share of each step taken, in (0, 1] (default 0.2). */
  readonly smoothing?: number;
  /** Samples in the long RTT window (default 600; the first 10 are a plain average). */
  readonly longWindow?: number;
  /** How much slower than the long RTT the latest may be before the limit shrinks, >= 1 (default 1.5). */
  readonly rttTolerance?: number;
  /** Calls the limit may grow by when there is no queueing (default 4). */
  readonly queueSize?: number;
}

const WARMUP_SAMPLES = 10;

/**
 * Creates a Gradient2 limit. Each sample updates the long RTT (plain average for the first 10
 * samples, then an EWMA with factor `2 / (longWindow + 1)`); when the long RTT is more than twice
 * the latest it is cut by 5 % (recovery after a long overload). Unless fewer than half the limit
 * are in flight, with `gradient = clamp(rttTolerance × longRtt / rtt, 0.5, 1)`:
 * `new = limit × gradient + queueSize`, then `limit += smoothing × (new − limit)`, clamped to
 * [minLimit, maxLimit]. Drops carry no extra signal (as in Netflix's).
 * @throws Error naming the field when an option is out of range.
 */
export function createGradient2Limit(options: Gradient2LimitOptions = {}): LimitAlgorithm {
  const { minLimit, maxLimit, initialLimit } = limitBounds(options, { minLimit: 20, maxLimit: 200, initialLimit: 20 });
  const smoothing = numberOption("smoothing", options.smoothing, 0.2, { min: 0, minExclusive: true, max: 1 });
  const longWindow = numberOption("longWindow", options.longWindow, 600, { min: 1, integer: true });
  const rttTolerance = numberOption("rttTolerance", options.rttTolerance, 1.5, { min: 1 });
  const queueSize = numberOption("queueSize", options.queueSize, 4, { min: 0 });
  const factor = 2 / (longWindow + 1);
  let estimate = initialLimit;
  let longRtt = 0;
  let samples = 0;

  const addLong = (rtt: number): number => {
    if (samples < WARMUP_SAMPLES) {
      samples++;
      longRtt += (rtt - longRtt) / samples;
    } else {
      longRtt = longRtt * (1 - factor) + rtt * factor;
    }
    return longRtt;
  };

  return {
    name: "gradient2",
    get limit() {
      return Math.floor(estimate);
    },
    onSample(sample) {
      const rtt = sample.rttMs;
      if (!(rtt > 0)) return;
      const long = addLong(rtt);
      if (long / rtt > 2) longRtt *= 0.95;
      if (sample.inFlight < estimate / 2) return;
      const gradient = Math.max(0.5, Math.min(1, (rttTolerance * long) / rtt));
      const next = estimate * gradient + queueSize;
      estimate = Math.max(minLimit, Math.min(maxLimit, estimate * (1 - smoothing) + next * smoothing));
    },
  };
}

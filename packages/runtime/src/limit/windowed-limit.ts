// Netflix's WindowedLimit: feeds an algorithm one sample per window (the window's average RTT, its
// greatest in-flight count, whether any call dropped) instead of one per call.
import type { LimitAlgorithm, LimitSample } from "./limit-algorithm.js";
import { numberOption, orderedOptions } from "./validate.js";

/** Settings of the sample window, with the meaning and defaults of Netflix's `WindowedLimit`. */
export interface LimitWindowOptions {
  /** Shortest window, ms (default 1000, at least 100). */
  readonly minWindowMs?: number;
  /** Longest window, ms (default 1000, at least 100 and at least `minWindowMs`). */
  readonly maxWindowMs?: number;
  /** Fewest samples a window needs to update the limit; a window with fewer is dropped (default 10, at least 10). */
  readonly windowSize?: number;
  /** Samples faster than this are ignored, ms (default 0.1). */
  readonly minRttThresholdMs?: number;
}

/**
 * Wraps `delegate` so it moves once per window rather than once per call, as Netflix's
 * `WindowedLimit` does: samples of calls are collected until one ends after the window's end;
 * then, if the window holds at least `windowSize` samples, the delegate gets one sample whose RTT
 * is the window's average, whose in-flight count is the window's greatest and which dropped if any
 * call in it did. The next window ends `clamp(2 × the window's least RTT, minWindowMs,
 * maxWindowMs)` after that call. Per-call updates react to a queue one RTT late while the limit
 * keeps growing on every answer; a window's average sees the queue it built. Pure: time is the
 * samples' own (`startMs + rttMs`).
 *
 * @throws Error naming the field (`minWindowMs`, …) when a setting is out of range.
 * @example
 * const limit = createWindowedLimit(createGradient2Limit(), { minWindowMs: 1000 });
 */
export function createWindowedLimit(delegate: LimitAlgorithm, options: LimitWindowOptions = {}): LimitAlgorithm {
  const minWindowMs = numberOption("minWindowMs", options.minWindowMs, 1000, { min: 100 });
  const maxWindowMs = numberOption("maxWindowMs", options.maxWindowMs, 1000, { min: 100 });
  orderedOptions("minWindowMs", minWindowMs, "maxWindowMs", maxWindowMs);
  const windowSize = numberOption("windowSize", options.windowSize, 10, { min: 10, integer: true });
  const minRttThresholdMs = numberOption("minRttThresholdMs", options.minRttThresholdMs, 0.1, { min: 0 });
  let nextUpdateMs = 0;
  let count = 0;
  let rttSum = 0;
  let leastRtt = Number.POSITIVE_INFINITY;
  let mostInFlight = 0;
  let dropped = false;
  return {
    name: delegate.name,
    get limit() {
      return delegate.limit;
    },
    onSample(sample: LimitSample) {
      if (sample.rttMs < minRttThresholdMs) return;
      count++;
      rttSum += sample.rttMs;
      leastRtt = Math.min(leastRtt, sample.rttMs);
      mostInFlight = Math.max(mostInFlight, sample.inFlight);
      dropped ||= sample.dropped;
      const endMs = sample.startMs + sample.rttMs;
      if (endMs <= nextUpdateMs) return;
      nextUpdateMs = endMs + Math.min(Math.max(2 * leastRtt, minWindowMs), maxWindowMs);
      if (count >= windowSize) delegate.onSample({ startMs: sample.startMs, rttMs: rttSum / count, inFlight: mostInFlight, dropped });
      count = 0;
      rttSum = 0;
      leastRtt = Number.POSITIVE_INFINITY;
      mostInFlight = 0;
      dropped = false;
    },
  };
}

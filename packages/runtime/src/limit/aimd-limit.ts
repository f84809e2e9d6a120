// AIMD concurrency limit, as Netflix's concurrency-limits AIMDLimit: +1 while the limit is in use,
// multiplied by a backoff ratio on a drop or a call slower than the timeout.
import type { LimitAlgorithm } from "./limit-algorithm.js";
import { limitBounds, numberOption } from "./validate.js";

/** Options of {@link createAimdLimit}; defaults are Netflix's. */
export interface AimdLimitOptions {
  /** Starting limit (default 20). */
  readonly initialLimit?: number;
  /** Least limit (default 20). */
  readonly minLimit?: number;
  /** Greatest limit (default 200). */
  readonly maxLimit?: number;
  /** Factor applied on a drop, in [0.5, 1) (default 0.9). */
  readonly backoffRatio?: number;
  /** A call slower than this (ms) counts as a drop (default 5000). */
  readonly timeoutMs?: number;
}

/**
 * Creates an AIMD limit. On each sample: if it dropped or took longer than `timeoutMs`, the limit
 * becomes `floor(limit × backoffRatio)`; otherwise, if the call saw at least half the limit in
 * flight (`inFlight × 2 >= limit`), the limit grows by 1. The result is clamped to
 * [minLimit, maxLimit].
 * @throws Error naming the field when an option is out of range.
 */
export function createAimdLimit(options: AimdLimitOptions = {}): LimitAlgorithm {
  const { minLimit, maxLimit, initialLimit } = limitBounds(options, { minLimit: 20, maxLimit: 200, initialLimit: 20 });
  const backoffRatio = numberOption("backoffRatio", options.backoffRatio, 0.9, { min: 0.5, max: 1 });
  if (backoffRatio === 1) throw new Error("backoffRatio: must be a number >= 0.5 and < 1, got 1");
  const timeoutMs = numberOption("timeoutMs", options.timeoutMs, 5000, { min: 0, minExclusive: true });
  let limit = initialLimit;
  return {
    name: "aimd",
    get limit() {
      return limit;
    },
    onSample(sample) {
      let next = limit;
      if (sample.dropped || sample.rttMs > timeoutMs) next = Math.floor(limit * backoffRatio);
      else if (sample.inFlight * 2 >= limit) next = limit + 1;
      limit = Math.min(maxLimit, Math.max(minLimit, next));
    },
  };
}

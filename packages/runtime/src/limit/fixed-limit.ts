// The fixed concurrency limit: a bulkhead of a set size that no sample moves.
import type { LimitAlgorithm } from "./limit-algorithm.js";
import { numberOption } from "./validate.js";

/** Options of {@link createFixedLimit}. */
export interface FixedLimitOptions {
  /** Calls allowed in flight at once (an integer >= 1). */
  readonly limit: number;
}

/**
 * Creates a fixed limit.
 * @throws Error naming `limit` when it is not an integer >= 1.
 * @example
 * createFixedLimit({ limit: 16 }).limit; // 16
 */
export function createFixedLimit(options: FixedLimitOptions): LimitAlgorithm {
  const limit = numberOption("limit", options.limit, Number.NaN, { min: 1, integer: true });
  return {
    name: "fixed",
    limit,
    onSample() {},
  };
}

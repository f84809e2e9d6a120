// Helpers for the limit specs: feeding an algorithm a scripted sequence of samples.
import type { LimitAlgorithm } from "./limit-algorithm.js";

/**
 * Feeds `count` samples of `rttMs` with `inFlight` in flight (default: the current limit) and
 * returns the limit after each.
 * @private
 */
export function feed(algorithm: LimitAlgorithm, count: number, rttMs: number, inFlight?: number, dropped = false): number[] {
  const limits: number[] = [];
  for (let i = 0; i < count; i++) {
    algorithm.onSample({ startMs: 0, rttMs, inFlight: inFlight ?? algorithm.limit, dropped });
    limits.push(algorithm.limit);
  }
  return limits;
}

// Helpers of the "power of two choices" pickers: two distinct uniformly random candidate indexes,
// and the cost multiplier of an endpoint that has been failing calls.
import type { PickCandidate } from "../picker.js";

/**
 * Two distinct indexes in [0, n), uniform over ordered pairs; needs n >= 2.
 * Draws `random` exactly twice.
 * @private
 */
export function sampleTwo(random: () => number, n: number): [number, number] {
  const first = Math.min(n - 1, Math.floor(random() * n));
  let second = Math.min(n - 2, Math.floor(random() * (n - 1)));
  if (second >= first) second++;
  return [first, second];
}

/** Least `1 − failureRate` a cost is divided by, so a failing endpoint's cost stays finite. */
const MIN_SUCCESS_SHARE = 0.01;

/**
 * How much more a pick on `candidate` costs because it has been failing: `1 / (1 − failureRate)`,
 * 1 for a candidate that never failed. An endpoint that answers every call with an error at once
 * has few calls in flight and a low latency, and would otherwise draw most of the traffic.
 * @private
 */
export function failureMultiplier(candidate: PickCandidate, now: number): number {
  const rate = candidate.failureRate?.(now) ?? 0;
  return rate <= 0 ? 1 : 1 / Math.max(MIN_SUCCESS_SHARE, 1 - rate);
}

// Each endpoint's recent failure share: a time-decayed average of call outcomes (1 failed, 0 not)
// that drifts back to 0 while the endpoint gets no calls, so a shunned endpoint is tried again.

/** Options of {@link createFailureRate}. */
export interface FailureRateEstimatorOptions {
  /** Time constant in milliseconds: the weight of old outcomes falls by e every this long (default 10 s). */
  readonly decayMs?: number;
  /** Least weight of one new outcome, in (0, 1] (default 0.1), so a burst of calls moves the rate at once. */
  readonly sampleWeight?: number;
  /** Monotonic clock in milliseconds. */
  readonly now: () => number;
}

/** A decaying failure share in [0, 1]. */
export interface FailureRateEstimator {
  /** Records one call outcome that happened now. */
  observe(failed: boolean): void;
  /** The share at `nowMs` (default: now); 0 before any failure. Reading does not change the state. */
  rate(nowMs?: number): number;
}

/**
 * Creates a failure-rate estimator. With `w = exp(-elapsed / decayMs)`, the rate decays as
 * `rate × w` between outcomes, and an outcome `x` (1 or 0) moves it by `a = max(1 − w, sampleWeight)`:
 * `rate = current + a × (x − current)`.
 *
 * @throws Error naming `decayMs` or `sampleWeight` when out of range.
 * @example
 * const f = createFailureRate({ now: () => performance.now() });
 * f.observe(true);
 * f.rate(); // 0.1 (sampleWeight) at first
 */
export function createFailureRate(options: FailureRateEstimatorOptions): FailureRateEstimator {
  const { now } = options;
  const decayMs = options.decayMs ?? 10_000;
  if (!(Number.isFinite(decayMs) && decayMs > 0)) {
    throw new Error(`decayMs: must be a finite number > 0 (milliseconds), got ${String(decayMs)}`);
  }
  const sampleWeight = options.sampleWeight ?? 0.1;
  if (!(sampleWeight > 0 && sampleWeight <= 1)) {
    throw new Error(`sampleWeight: must be a number in (0, 1], got ${String(sampleWeight)}`);
  }
  let value = 0;
  let stamp = 0;
  const weight = (t: number): number => Math.exp(-Math.max(0, t - stamp) / decayMs);
  return {
    observe(failed) {
      const t = now();
      const w = weight(t);
      const current = value * w;
      value = current + Math.max(1 - w, sampleWeight) * ((failed ? 1 : 0) - current);
      stamp = Math.max(stamp, t);
    },
    rate(nowMs) {
      return value === 0 ? 0 : value * weight(nowMs ?? now());
    },
  };
}

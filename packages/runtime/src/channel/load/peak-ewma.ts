// The latency estimator each subchannel owns: a peak-sensitive, time-decayed EWMA (as in Finagle's
// and Linkerd's peak-EWMA balancers) that reacts to a slowdown at once and forgets it gradually.

/** Options of {@link createPeakEwma}. */
export interface PeakEwmaOptions {
  /** Time constant of the decay in milliseconds (default 10 s). */
  readonly decayMs?: number;
  /**
   * Least weight of a lower sample, in [0, 1] (default 0.1): each sample below the estimate moves
   * it at least this share of the way, however little time has passed. 0 gives Finagle's purely
   * time-based blend, under which a busy endpoint's estimate keeps a transient peak (a GC pause or
   * a stalled event loop on the client) for about `decayMs`.
   */
  readonly sampleWeight?: number;
  /** Monotonic clock in milliseconds. */
  readonly now: () => number;
}

/** A latency estimate fed with call latencies. */
export interface PeakEwma {
  /** Records the latency of one call that ended now, in milliseconds. */
  observe(latencyMs: number): void;
  /**
   * The estimate at `nowMs` (default: the clock's now) in milliseconds, or `undefined` before the
   * first sample. Reading does not change the state.
   */
  estimate(nowMs?: number): number | undefined;
}

/**
 * Creates a peak-EWMA estimator. With `w = exp(-elapsed / decayMs)`:
 * - between samples the estimate decays toward zero, `estimate(t) = value × w(t − last)`, so an
 *   endpoint that stopped getting calls because it looked slow is tried again eventually;
 * - a sample above the (decayed) estimate replaces it at once (peak sensitivity);
 * - a lower sample is blended in with weight `a = max(1 − w, sampleWeight)`, `elapsed` being the
 *   time since the previous sample: `value = current + a × (sample − current)`. The time term is
 *   Finagle's; the floor lets an endpoint that answers many calls shed a transient peak within a
 *   few dozen calls instead of `decayMs`.
 * The first sample is taken as is. Negative samples count as 0; non-finite ones are ignored.
 *
 * @throws Error naming `ewmaDecayMs` or `ewmaSampleWeight` when an option is out of range.
 * @example
 * const ewma = createPeakEwma({ decayMs: 10_000, now: () => performance.now() });
 * ewma.observe(12);
 * ewma.estimate(); // 12
 */
export function createPeakEwma(options: PeakEwmaOptions): PeakEwma {
  const { now } = options;
  const decayMs = options.decayMs ?? 10_000;
  if (typeof decayMs !== "number" || !Number.isFinite(decayMs) || decayMs <= 0) {
    throw new Error(`ewmaDecayMs: must be a finite number > 0 (milliseconds), got ${String(decayMs)}`);
  }
  const sampleWeight = options.sampleWeight ?? 0.1;
  if (typeof sampleWeight !== "number" || !(sampleWeight >= 0 && sampleWeight <= 1)) {
    throw new Error(`ewmaSampleWeight: must be a number from 0 to 1, got ${String(sampleWeight)}`);
  }
  let value: number | undefined;
  let stamp = 0;
  const weight = (t: number): number => Math.exp(-Math.max(0, t - stamp) / decayMs);
  return {
    observe(latencyMs) {
      if (!Number.isFinite(latencyMs)) return;
      const sample = Math.max(0, latencyMs);
      const t = now();
      if (value === undefined) {
        value = sample;
      } else {
        const w = weight(t);
        const current = value * w;
        value = sample > current ? sample : current + Math.max(1 - w, sampleWeight) * (sample - current);
      }
      stamp = Math.max(stamp, t);
    },
    estimate(nowMs) {
      return value === undefined ? undefined : value * weight(nowMs ?? now());
    },
  };
}

// Vegas concurrency limit, as Netflix's concurrency-limits VegasLimit: estimates the queue from the
// no-load RTT (queue = limit × (1 − rttNoLoad / rtt)) and grows or shrinks by log10-scaled steps.
import type { LimitAlgorithm } from "./limit-algorithm.js";
import { numberOption } from "./validate.js";

/** Options of {@link createVegasLimit}; defaults are Netflix's. */
export interface VegasLimitOptions {
  /** Starting limit (default 20). */
  readonly initialLimit?: number;
  /** Greatest limit (default 1000). */
  readonly maxLimit?: number;
  /** Share of each step taken, in (0, 1] (default 1: no smoothing). */
  readonly smoothing?: number;
  /**
   * The no-load RTT is re-measured every `probeMultiplier × limit × jitter` samples, jitter in
   * [0.5, 1) (default 30).
   */
  readonly probeMultiplier?: number;
  /** Source of randomness for the probe jitter, in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

/** Netflix's log10 step: `max(1, floor(log10(limit)))`. @private */
export function log10Step(limit: number): number {
  return Math.max(1, Math.floor(Math.log10(Math.max(1, Math.floor(limit)))));
}

/**
 * Creates a Vegas limit. With `step = max(1, floor(log10(limit)))`, alpha = 3·step, beta = 6·step
 * and threshold = step, each sample (after the first, which sets the no-load RTT):
 * - a lower RTT becomes the new no-load RTT; every probe interval the sample's RTT replaces it;
 * - a drop shrinks the limit by `step`;
 * - while fewer than half the limit are in flight the limit holds (the caller, not the server,
 *   is the bottleneck);
 * - else queue ≤ threshold: +beta; queue < alpha: +step; queue > beta: −step; otherwise hold.
 * The new limit is clamped to [1, maxLimit] and smoothed: `limit + smoothing × (new − limit)`.
 * @throws Error naming the field when an option is out of range.
 */
export function createVegasLimit(options: VegasLimitOptions = {}): LimitAlgorithm {
  const maxLimit = numberOption("maxLimit", options.maxLimit, 1000, { min: 1, integer: true });
  const initialLimit = numberOption("initialLimit", options.initialLimit, Math.min(20, maxLimit), { min: 1, max: maxLimit, integer: true });
  const smoothing = numberOption("smoothing", options.smoothing, 1, { min: 0, minExclusive: true, max: 1 });
  const probeMultiplier = numberOption("probeMultiplier", options.probeMultiplier, 30, { min: 1, integer: true });
  const random = options.random ?? Math.random;
  let estimate = initialLimit;
  let rttNoLoad = 0;
  let probeCount = 0;
  let probeJitter = 0.5 + random() * 0.5;

  const update = (rtt: number, inFlight: number, dropped: boolean): void => {
    const queue = Math.ceil(estimate * (1 - rttNoLoad / rtt));
    const step = log10Step(estimate);
    let next: number;
    if (dropped) next = estimate - step;
    else if (inFlight * 2 < estimate) return;
    else if (queue <= step) next = estimate + 6 * step;
    else if (queue < 3 * step) next = estimate + step;
    else if (queue > 6 * step) next = estimate - step;
    else return;
    next = Math.max(1, Math.min(maxLimit, next));
    estimate = (1 - smoothing) * estimate + smoothing * next;
  };

  return {
    name: "vegas",
    get limit() {
      return Math.max(1, Math.floor(estimate));
    },
    onSample(sample) {
      const rtt = sample.rttMs;
      if (!(rtt > 0)) return;
      probeCount++;
      if (probeJitter * probeMultiplier * estimate <= probeCount) {
        probeJitter = 0.5 + random() * 0.5;
        probeCount = 0;
        rttNoLoad = rtt;
        return;
      }
      if (rttNoLoad === 0 || rtt < rttNoLoad) {
        rttNoLoad = rtt;
        return;
      }
      update(rtt, sample.inFlight, sample.dropped);
    },
  };
}

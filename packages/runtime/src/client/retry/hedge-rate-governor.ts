// Holds an adaptive hedging delay to the share of calls it promises to hedge: a multiplier (>= 1) on
// the latency percentile that rises with each call that hedged and decays with each that did not.

/** Options of {@link createHedgeRateGovernor}. */
export interface HedgeRateGovernorOptions {
  /** Share of calls meant to hedge, in (0, 1): 1 − the delay's percentile (0.02 for p98). */
  readonly targetRate: number;
  /** Factor the multiplier grows by per hedged call (> 1; default 1.05: small steps, so that isolated hedges barely move it). */
  readonly stepUp?: number;
  /** Largest multiplier (>= 1; default 4): a hedge still goes out within a few times the usual latency. */
  readonly maxMultiplier?: number;
}

/** Where a governor stands. */
export interface HedgeRateGovernorStats {
  /** What the percentile is multiplied by now (1: the percentile itself). */
  readonly multiplier: number;
  /** Share of recent calls that hedged: the mean of the last ~10 ÷ `targetRate` calls (an EWMA). */
  readonly hedgeRate: number;
  /** Calls recorded. */
  readonly calls: number;
}

/** Steers a hedging delay by the hedge rate observed. */
export interface HedgeRateGovernor {
  /** Records one call: whether it sent a hedge because its delay passed. O(1), no allocation. */
  recordCall(hedged: boolean): void;
  /** The factor to apply to the latency percentile, in [1, maxMultiplier]. */
  multiplier(): number;
  stats(): HedgeRateGovernorStats;
}

/**
 * Creates a hedge-rate governor. Each hedged call multiplies the multiplier by `stepUp`, each call
 * that did not hedge divides it by `stepUp^(targetRate / (1 − targetRate))`, and it stays within
 * [1, maxMultiplier]: the steps balance where a share `targetRate` of calls hedges, so whenever the
 * percentile alone hedges more often (a latency distribution so tight that short disturbances push
 * runs of calls past it, timers firing early, hedges adding load), the delay rises above the
 * percentile until the rate is back at the target, and relaxes to the percentile when it is below.
 * A run of hedged calls raises the delay geometrically, so a burst of slower calls stops hedging
 * after a few of them instead of all of them.
 *
 * @throws Error naming `hedge.<field>` and the accepted values.
 * @example
 * const governor = createHedgeRateGovernor({ targetRate: 0.02 });
 * const delayMs = p98 * governor.multiplier();
 * governor.recordCall(hedged);
 */
export function createHedgeRateGovernor(options: HedgeRateGovernorOptions): HedgeRateGovernor {
  const { targetRate } = options;
  const stepUp = options.stepUp ?? 1.05;
  const maxMultiplier = options.maxMultiplier ?? 4;
  if (!(targetRate > 0 && targetRate < 1)) throw new Error(`hedge.targetRate: must be a number in (0, 1), got ${String(targetRate)}`);
  if (!(Number.isFinite(stepUp) && stepUp > 1)) throw new Error(`hedge.stepUp: must be a finite number > 1, got ${String(options.stepUp)}`);
  if (!(Number.isFinite(maxMultiplier) && maxMultiplier >= 1)) {
    throw new Error(`hedge.maxMultiplier: must be a finite number >= 1, got ${String(options.maxMultiplier)}`);
  }
  const logUp = Math.log(stepUp);
  const logDown = (logUp * targetRate) / (1 - targetRate);
  const logMax = Math.log(maxMultiplier);
  /** Calls the hedge-rate average spans once warm: ten hedges' worth at the target rate. */
  const rateHorizon = Math.ceil(10 / targetRate);
  let logMultiplier = 0;
  let multiplier = 1;
  let hedgeRate = 0;
  let calls = 0;
  return {
    recordCall(hedged) {
      calls++;
      // A plain mean until the horizon is reached, then an EWMA over it.
      hedgeRate += ((hedged ? 1 : 0) - hedgeRate) / Math.min(calls, rateHorizon);
      const next = hedged ? Math.min(logMax, logMultiplier + logUp) : Math.max(0, logMultiplier - logDown);
      if (next !== logMultiplier) {
        logMultiplier = next;
        multiplier = Math.exp(next);
      }
    },
    multiplier: () => multiplier,
    stats: () => ({ multiplier, hedgeRate, calls }),
  };
}

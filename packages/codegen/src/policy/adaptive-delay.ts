// The adaptive hedging delay of a HedgePolicy (hedging_delay_percentile and its bounds): range
// checks of one option, and the method's resolved delay after merging in the service default.
import type { HedgePolicy } from "../gen/sluice/v1/options_pb.js";
import type { AdaptiveDelayPlan } from "./plan.js";
import type { Report } from "./problems.js";

/** Defaults of the adaptive delay's bounds, as `@sluice/runtime`'s estimator has them. */
export const adaptiveDelayDefaults = { minSamples: 20, floorMs: 1 } as const;

/** Most latencies the runtime keeps per method, so the most `hedging_delay_min_samples` can ask. */
export const maxMinSamples = 1000;

const percentileField = "hedging_delay_percentile";

/** The percent as the runtime's fraction, without binary noise (99.9 → 0.999, not 0.9990000000000001). */
function toFraction(percent: number): number {
  return Number((percent / 100).toPrecision(12));
}

/** Checks the ranges of the adaptive fields set in one hedge option; `prefix` is e.g. `(sluice.v1.method).hedge`. */
export function checkAdaptiveDelayFields(hedge: HedgePolicy, prefix: string, report: Report): void {
  const percent = hedge.hedgingDelayPercentile;
  if (percent !== 0) {
    const fraction = toFraction(percent);
    if (!(Number.isFinite(percent) && fraction > 0 && fraction < 1)) {
      report(`${prefix}.${percentileField}`, `must be a percent > 0 and < 100 (e.g. 95 or 99.5), got ${percent}`);
    }
  }
  const minSamples = hedge.hedgingDelayMinSamples;
  if (minSamples !== 0 && (minSamples < 1 || minSamples > maxMinSamples)) {
    report(`${prefix}.hedging_delay_min_samples`, `must be between 1 and ${maxMinSamples} (or unset for the default ${adaptiveDelayDefaults.minSamples}), got ${minSamples}`);
  }
  const floor = hedge.hedgingDelayFloorMs;
  if (floor !== undefined && floor < 0n) {
    report(`${prefix}.hedging_delay_floor_ms`, `must be >= 0 (or unset for the default ${adaptiveDelayDefaults.floorMs}), got ${floor}`);
  }
  const ceiling = hedge.hedgingDelayCeilingMs;
  const floorMs = floor !== undefined && floor >= 0n ? floor : BigInt(adaptiveDelayDefaults.floorMs);
  if (ceiling < 0n) {
    report(`${prefix}.hedging_delay_ceiling_ms`, `must be >= 0 (0 or unset: no ceiling), got ${ceiling}`);
  } else if (ceiling > 0n && ceiling < floorMs) {
    report(`${prefix}.hedging_delay_ceiling_ms`, `must be >= hedging_delay_floor_ms (${floorMs}), got ${ceiling}`);
  }
}

/** Where a merged field came from: the method's option or the service's. */
interface Picked<T> {
  readonly value: T;
  readonly prefix: string;
}

/**
 * The method's adaptive delay after merging the service's hedge default field by field, or
 * `undefined` when neither sets `hedging_delay_percentile`. Reports bounds set without a
 * percentile, and a ceiling below a floor set at the other level (a pair set at one level is
 * checked by {@link checkAdaptiveDelayFields}).
 */
export function readAdaptiveDelay(
  mine: HedgePolicy | undefined,
  inherited: HedgePolicy | undefined,
  prefixes: { readonly method: string; readonly service: string },
  report: Report,
): AdaptiveDelayPlan | undefined {
  const pick = <T>(get: (h: HedgePolicy) => T, isSet: (value: T) => boolean): Picked<T> | undefined => {
    if (mine !== undefined && isSet(get(mine))) return { value: get(mine), prefix: prefixes.method };
    if (inherited !== undefined && isSet(get(inherited))) return { value: get(inherited), prefix: prefixes.service };
    return undefined;
  };
  const percentile = pick((h) => h.hedgingDelayPercentile, (v) => v !== 0);
  const minSamples = pick((h) => h.hedgingDelayMinSamples, (v) => v !== 0);
  const floor = pick((h) => h.hedgingDelayFloorMs, (v) => v !== undefined);
  const ceiling = pick((h) => h.hedgingDelayCeilingMs, (v) => v !== 0n);
  if (percentile === undefined) {
    const bounds: Array<[string, Picked<unknown> | undefined]> = [
      ["hedging_delay_min_samples", minSamples],
      ["hedging_delay_floor_ms", floor],
      ["hedging_delay_ceiling_ms", ceiling],
    ];
    for (const [field, set] of bounds) {
      if (set !== undefined) {
        report(`${set.prefix}.${field}`, `needs ${percentileField} (the adaptive delay's percentile): set it, or remove this field for a fixed hedging_delay_ms`);
      }
    }
    return undefined;
  }
  const floorMs = floor === undefined ? adaptiveDelayDefaults.floorMs : Number(floor.value);
  const ceilingMs = ceiling === undefined ? undefined : Number(ceiling.value);
  // A pair set at one level was checked with that level; a floor and a ceiling from different ones meet here.
  if (ceilingMs !== undefined && ceilingMs < floorMs && floor !== undefined && floor.prefix !== ceiling!.prefix) {
    report(`${prefixes.method}.hedging_delay_ceiling_ms`, `must be >= hedging_delay_floor_ms (${floorMs}, from ${floor.prefix}), got ${ceilingMs} (from ${ceiling!.prefix})`);
  }
  return {
    percentile: toFraction(percentile.value),
    minSamples: minSamples?.value ?? adaptiveDelayDefaults.minSamples,
    floorMs,
    ...(ceilingMs !== undefined ? { ceilingMs } : {}),
  };
}

// Tells W-TinyLFU when its popular set has moved: per period of reads, the hit rate and the rate of
// hits on the protected segment both fell well below their running averages.

/** Reads per period (the store counts them and asks `shifted` at the end of each). */
export const SHIFT_PERIOD = 1000;
/** A period's hit rate below this share of its running average is a drop. */
const HIT_RATE_DROP = 0.75;
/** A period's protected-hit rate below this share of its running average is a drop. */
const PROTECTED_RATE_DROP = 0.45;
/** A period's hit rate below this share of its running average is a scan of new keys, not a shift. */
const SCAN_FLOOR = 0.1;
/** Weight of the latest period in the running averages. */
const AVERAGE_WEIGHT = 0.25;

/**
 * Decides, once per period of reads, whether the keys the cache learned to keep have stopped being
 * requested. A scan or a burst of new keys lowers the hit rate, but the hits that remain still fall
 * on the protected segment (the keys requested most); when the popular set itself moves, the old
 * protected keys stop being read, so both rates fall together. `shifted` is true when, in one
 * period, the hit rate fell below 75 % of its running average (but not below 10 % of it: a period
 * of almost no hits is a scan of new keys, which W-TinyLFU's admission already turns away) and the
 * protected-hit rate below 45 % of its own. The averages weigh the latest period 1/4; a period that
 * reports a shift restarts the hit average from itself and leaves the protected average as it was.
 * Pure: no clock, no I/O.
 */
export class ShiftDetector {
  private hitAverage = -1;
  private protectedAverage = -1;

  /**
   * One period's `hitRate` (hits / reads) and `protectedRate` (hits on protected entries / reads).
   * True when both fell below their thresholds of the running averages.
   */
  shifted(hitRate: number, protectedRate: number): boolean {
    const hitAverage = this.hitAverage;
    const protectedAverage = this.protectedAverage;
    if (
      hitAverage >= 0 &&
      hitRate < HIT_RATE_DROP * hitAverage &&
      hitRate > SCAN_FLOOR * hitAverage &&
      protectedRate < PROTECTED_RATE_DROP * protectedAverage
    ) {
      this.hitAverage = hitRate;
      return true;
    }
    this.hitAverage = hitAverage < 0 ? hitRate : hitAverage + (hitRate - hitAverage) * AVERAGE_WEIGHT;
    this.protectedAverage = protectedAverage < 0 ? protectedRate : protectedAverage + (protectedRate - protectedAverage) * AVERAGE_WEIGHT;
    return false;
  }

  /** Forgets both averages, e.g. after the cache is cleared. */
  reset(): void {
    this.hitAverage = -1;
    this.protectedAverage = -1;
  }
}

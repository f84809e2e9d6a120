// How W-TinyLFU resizes its admission window: the contract, a fixed window, and Caffeine's hill
// climber (Sluice's miniature-simulation climber is in miniature-climber.ts).

/** Advises W-TinyLFU how far to move weight between its window and its main area. */
export interface WindowClimber<K> {
  /** Only reads whose 30-bit key hash is below this are passed to `record` (Infinity: every read). */
  readonly sampledBelow: number;
  /**
   * A read of `key` (30-bit `hash`) that hit or missed; `ready` is false while the frequency sketch
   * is off; `window` is the window's current maximum. Returns the weight to move into the window
   * (> 0) or out of it (< 0), usually 0.
   */
  record(key: K, hash: number, hit: boolean, ready: boolean, window: number): number;
  /** Forgets everything, e.g. after `clear()`. */
  reset(): void;
}

/** Caffeine's constants: restart above a 5-point change, steps of 6.25 % decaying by 2 % a sample. */
const RESTART_THRESHOLD = 0.05;
const STEP_PERCENT = 0.0625;
const STEP_DECAY = 0.98;

/**
 * Caffeine's hill climber: every `sampleSize` reads, step the window the same way again if the hit
 * ratio rose, the other way if it fell; steps decay, and restart after a large change.
 */
export function createHillClimber<K>(maximum: number, sampleSize: number): WindowClimber<K> {
  let hits = 0;
  let misses = 0;
  let previousHitRate = 0;
  let stepSize = -STEP_PERCENT * maximum;
  return {
    sampledBelow: Infinity,
    record(_key, _hash, hit, ready) {
      if (!ready) {
        previousHitRate = 0;
        hits = 0;
        misses = 0;
        return 0;
      }
      if (hit) hits++;
      else misses++;
      const requests = hits + misses;
      if (requests < sampleSize) return 0;
      const hitRate = hits / requests;
      const change = hitRate - previousHitRate;
      const amount = change >= 0 ? stepSize : -stepSize;
      stepSize = Math.abs(change) >= RESTART_THRESHOLD ? STEP_PERCENT * maximum * (amount >= 0 ? 1 : -1) : STEP_DECAY * amount;
      previousHitRate = hitRate;
      hits = 0;
      misses = 0;
      return Math.trunc(amount);
    },
    reset() {
      hits = 0;
      misses = 0;
      previousHitRate = 0;
      stepSize = -STEP_PERCENT * maximum;
    },
  };
}

/** A climber that never moves the window. */
export function createFixedWindow<K>(): WindowClimber<K> {
  return { sampledBelow: 0, record: () => 0, reset() {} };
}

// Sluice's window climber: miniature simulations (Waldspurger et al., ATC '17) of the same cache on
// a hash-sampled slice of the keys, each with a different fixed window; the main cache follows the
// window of whichever miniature has hit most lately.
import { HASH_MASK } from "./frequency-sketch.js";
import { MiniatureCaches } from "./miniature-caches.js";
import { createFixedWindow, type WindowClimber } from "./window-climber.js";

/**
 * Window shares the miniatures try, from Caffeine's 1 % to mostly recency. Three rather than five
 * (1, 10, 30, 60, 90 %) cost 40 % less and hit as well or better on the bench's traces.
 */
export const MINIATURE_WINDOWS = [0.01, 0.25, 0.8] as const;
/** Smallest miniature worth simulating, in entries. */
const MIN_MINIATURE = 64;
/**
 * Fewest entries a miniature needs to rank window shares; below it (caches under 512 entries) the
 * window stays fixed, which beats 6-entry miniatures on every synthetic trace at size 100.
 */
export const FEWEST_MINIATURE_ENTRIES = 32;
/**
 * How much more a miniature must score than the one the window follows to take over (1 %): where
 * window shares score alike (Zipf 1.2 @ 10,000), following noise costs hit ratio.
 */
const SWITCH_MARGIN = 0.01;
/**
 * Lowest sampling rate: 1 key in 64, so that caches over 4,096 entries simulate about 64 × 64
 * sampled keys rather than 1 in 32 of theirs; at 10,000 entries this halves the climber's cost
 * and leaves the bench's hit ratios within 0.01 points.
 */
const MIN_RATE = 1 / 64;
/** Highest sampling rate: 1 key in 16. */
const MAX_RATE = 1 / 16;

/**
 * Which miniature the window follows after a period: the best-scoring one (the first of equals)
 * when it scores more than `SWITCH_MARGIN` above `current`, else `current`.
 */
export function followedMiniature(scores: readonly number[], current: number): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return scores[best]! > scores[current]! * (1 + SWITCH_MARGIN) ? best : current;
}

/**
 * A climber that replays 1 key in `1/rate` (chosen by hash) through one miniature cache per
 * window share in `MINIATURE_WINDOWS` (simulated together, `MiniatureCaches`, keyed by the main
 * store's key hash, their sketch sized for `sketchEntries` scaled by the rate), scores their hits
 * with exponential decay over periods of 10 × miniature capacity sampled reads, and after each
 * period moves the main window to the share of `maximum` of the winner, when it beats the share
 * followed so far by more than `SWITCH_MARGIN` (the store carries out a large move over several
 * reads, 1,000 entries at a time). The miniatures cost O(1)
 * per sampled read. When they would hold fewer than `FEWEST_MINIATURE_ENTRIES`, none is built and
 * the window stays where it is.
 */
export function createMiniatureClimber<K>(maximum: number, entries: number, sketchEntries: number): WindowClimber<K> {
  const rate = Math.min(MAX_RATE, Math.max(MIN_RATE, MIN_MINIATURE / Math.max(1, entries)));
  const threshold = Math.floor(rate * (HASH_MASK + 1));
  const capacity = Math.max(1, Math.round(entries * rate));
  if (capacity < FEWEST_MINIATURE_ENTRIES) return createFixedWindow<K>();
  const miniSketch = Math.max(1, Math.round(sketchEntries * rate));
  const period = 10 * capacity;
  const minis = new MiniatureCaches(capacity, MINIATURE_WINDOWS, miniSketch);
  const scores = MINIATURE_WINDOWS.map(() => 0);
  const hits = MINIATURE_WINDOWS.map(() => 0);
  let reads = 0;
  /** Index of the share the window follows. */
  let current = 0;
  return {
    sampledBelow: threshold,
    record(_key, hash, _hit, _ready, window) {
      const mask = minis.access(hash);
      for (let i = 0; i < hits.length; i++) if ((mask >>> i) & 1) hits[i]!++;
      if (++reads >= period) {
        reads = 0;
        for (let i = 0; i < scores.length; i++) {
          scores[i] = scores[i]! / 2 + hits[i]!;
          hits[i] = 0;
        }
        current = followedMiniature(scores, current);
        return Math.round(MINIATURE_WINDOWS[current]! * maximum) - window;
      }
      return 0;
    },
    reset() {
      minis.reset();
      scores.fill(0);
      hits.fill(0);
      reads = 0;
      current = 0;
    },
  };
}

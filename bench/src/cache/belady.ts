// Belady's optimum (MIN): over capacity, drop the key (the newcomer included) next used farthest away.
// Computed offline with next-use indices and a lazy max-heap; O(n log capacity).
import { PairHeap } from "./pair-heap.js";

/** Next index at which each request's key recurs (n when never). */
function nextUses(keys: Int32Array): Int32Array {
  const next = new Int32Array(keys.length);
  const seen = new Map<number, number>();
  for (let i = keys.length - 1; i >= 0; i--) {
    next[i] = seen.get(keys[i]!) ?? keys.length;
    seen.set(keys[i]!, i);
  }
  return next;
}

/** Hits of Belady's optimal policy on `keys` with room for `capacity` keys. */
export function beladyHits(keys: Int32Array, capacity: number): number {
  const next = nextUses(keys);
  const nextOf = new Map<number, number>(); // resident key → its next use
  const heap = new PairHeap(true); // [next use, key], max-heap; stale rows skipped
  let hits = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (nextOf.has(key)) hits++;
    nextOf.set(key, next[i]!);
    heap.push(next[i]!, key);
    // Over capacity: drop whichever key (the new one included) is next used farthest away.
    while (nextOf.size > capacity) {
      const [use, victim] = heap.pop();
      if (nextOf.get(victim) === use) nextOf.delete(victim);
    }
    if (heap.size > 4 * capacity + 64) {
      heap.clear();
      for (const [k, use] of nextOf) heap.push(use, k);
    }
  }
  return hits;
}

// Replays a trace through a store (get, and set on a miss) and counts hits; every key has size 1.
import type { CacheStore } from "@sluice/runtime";

/** A store under test, built fresh for each (trace, capacity). */
export type StoreFactory = (capacity: number) => CacheStore<number, true>;

/** Hits of `store` replaying `keys`: one get per request, a set of size 1 after each miss. */
export function replayHits(store: CacheStore<number, true>, keys: Int32Array): number {
  let hits = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (store.get(key) !== undefined) hits++;
    else store.set(key, true, 1, Infinity);
  }
  return hits;
}

// Picks a store by eviction policy name, the names the .proto's CacheEviction enum generates.
import type { CacheEviction } from "../client/method-policy.js";
import { createArcStore } from "./arc-store.js";
import type { CacheStore, StoreOptions } from "./cache-store.js";
import { createLfuStore } from "./lfu-store.js";
import { createLruStore } from "./lru-store.js";
import { createTinyLfuStore } from "./tinylfu-store.js";

/** Accepted eviction names. */
export const evictionNames: readonly CacheEviction[] = ["lru", "lfu", "arc", "tinylfu"];

/**
 * A store evicting by `eviction`; `"tinylfu"` is W-TinyLFU with Sluice's miniature climber. Throws
 * naming `eviction` and the accepted names when it is unknown.
 */
export function createStore<K, V>(eviction: CacheEviction, options: StoreOptions<K, V>): CacheStore<K, V> {
  switch (eviction) {
    case "lru":
      return createLruStore(options);
    case "lfu":
      return createLfuStore(options);
    case "arc":
      return createArcStore(options);
    case "tinylfu":
      return createTinyLfuStore(options);
    default:
      throw new Error(`eviction: must be one of ${evictionNames.join(", ")}, got ${String(eviction)}`);
  }
}

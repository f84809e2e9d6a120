// The LRU policy: one recency queue; a hit moves the entry to the most recent end, eviction takes
// the least recent.
import type { CacheStore, StoreOptions } from "./cache-store.js";
import { BoundedStore, type StoreEntry } from "./bounded-store.js";
import { LinkedList } from "./linked-list.js";

class LruStore<K, V> extends BoundedStore<K, V> {
  readonly policy = "lru";
  private readonly queue = new LinkedList<StoreEntry<K, V>>();

  protected admit(entry: StoreEntry<K, V>): void {
    this.queue.push(entry);
  }
  protected touched(entry: StoreEntry<K, V>): void {
    this.queue.touch(entry);
  }
  protected unlink(entry: StoreEntry<K, V>): void {
    this.queue.remove(entry);
  }
  protected victim(): StoreEntry<K, V> | null {
    return this.queue.first;
  }
  protected cleared(): void {
    this.queue.clear();
  }
}

/**
 * A store that evicts the least recently used entry.
 *
 * @example
 * const store = createLruStore<string, Uint8Array>({ maxEntries: 1000, maxBytes: 0, now: Date.now });
 */
export function createLruStore<K, V>(options: StoreOptions<K, V>): CacheStore<K, V> {
  return new LruStore(options);
}

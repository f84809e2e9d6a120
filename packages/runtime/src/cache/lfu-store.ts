// The LFU policy in O(1): entries sit in per-frequency buckets kept in ascending order (Shah,
// Mitra & Matani's constant-time LFU); eviction takes the least recent entry of the lowest bucket.
import type { CacheStore, StoreOptions } from "./cache-store.js";
import { BoundedStore, type StoreEntry } from "./bounded-store.js";
import { LinkedList, type Linked } from "./linked-list.js";

class Bucket<K, V> implements Linked<Bucket<K, V>> {
  prev: Bucket<K, V> | null = null;
  next: Bucket<K, V> | null = null;
  readonly entries = new LinkedList<StoreEntry<K, V>>();
  constructor(readonly freq: number) {}
}

class LfuStore<K, V> extends BoundedStore<K, V> {
  readonly policy = "lfu";
  private readonly buckets = new LinkedList<Bucket<K, V>>();
  /** The entry just admitted: not its own victim while another entry can go. */
  private newest: StoreEntry<K, V> | null = null;

  protected admit(entry: StoreEntry<K, V>): void {
    this.newest = entry;
    const lowest = this.buckets.first;
    const bucket = lowest !== null && lowest.freq === 1 ? lowest : this.insertAfter(null, 1);
    bucket.entries.push(entry);
    entry.owner = bucket;
  }

  protected touched(entry: StoreEntry<K, V>): void {
    const bucket = entry.owner as Bucket<K, V>;
    const following = bucket.next;
    const target = following !== null && following.freq === bucket.freq + 1 ? following : this.insertAfter(bucket, bucket.freq + 1);
    bucket.entries.remove(entry);
    target.entries.push(entry);
    entry.owner = target;
    if (bucket.entries.size === 0) this.buckets.remove(bucket);
  }

  protected unlink(entry: StoreEntry<K, V>): void {
    if (entry === this.newest) this.newest = null;
    const bucket = entry.owner as Bucket<K, V>;
    bucket.entries.remove(entry);
    entry.owner = null;
    if (bucket.entries.size === 0) this.buckets.remove(bucket);
  }

  protected victim(): StoreEntry<K, V> | null {
    const lowest = this.buckets.first;
    const first = lowest?.entries.first ?? null;
    if (first === null || first !== this.newest) return first;
    return first.next ?? lowest!.next?.entries.first ?? first;
  }

  protected cleared(): void {
    this.newest = null;
    this.buckets.clear();
  }

  /** A new bucket of `freq` right after `before` (at the front when null). */
  private insertAfter(before: Bucket<K, V> | null, freq: number): Bucket<K, V> {
    const bucket = new Bucket<K, V>(freq);
    const after = before === null ? this.buckets.first : before.next;
    bucket.prev = before;
    bucket.next = after;
    if (before === null) this.buckets.first = bucket;
    else before.next = bucket;
    if (after === null) this.buckets.last = bucket;
    else after.prev = bucket;
    this.buckets.size++;
    return bucket;
  }
}

/**
 * A store that evicts the least frequently used entry, the least recently used among equals; the
 * entry being inserted is never its own victim while another can go. Counts start at 1 on insert
 * and grow by 1 per read or overwrite; they are forgotten on eviction.
 */
export function createLfuStore<K, V>(options: StoreOptions<K, V>): CacheStore<K, V> {
  return new LfuStore(options);
}

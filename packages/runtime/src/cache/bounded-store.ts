// The shared body of every eviction policy: the key map, byte and entry accounting, expiry and the
// eviction loop; a policy supplies only its queues through a few hooks.
import { checkEntryArguments, checkStoreBounds, type CacheStore, type RemovalCause, type StoreOptions } from "./cache-store.js";
import type { Linked } from "./linked-list.js";

/** One stored entry; the policy fields (`prev`, `next`, `queue`, `freq`) belong to the policy. */
export class StoreEntry<K, V> implements Linked<StoreEntry<K, V>> {
  prev: StoreEntry<K, V> | null = null;
  next: StoreEntry<K, V> | null = null;
  /** Which of the policy's queues holds the entry. */
  queue = 0;
  /** Policy-owned link to a frequency bucket or similar. */
  owner: unknown = null;
  /** False once the entry has left the store. */
  live = true;
  constructor(
    readonly key: K,
    public value: V,
    public size: number,
    public expiresAt: number,
  ) {}
}

/**
 * Base class of the eviction policies. Subclasses link entries into their queues in `admit`, move
 * them in `touched`, unlink them in `unlink` and name the next victim in `victim`.
 *
 * @private
 */
export abstract class BoundedStore<K, V> implements CacheStore<K, V> {
  abstract readonly policy: string;
  protected readonly map = new Map<K, StoreEntry<K, V>>();
  protected readonly maxEntries: number;
  protected readonly maxBytes: number;
  protected readonly now: () => number;
  private readonly onRemove: StoreOptions<K, V>["onRemove"];
  private byteCount = 0;

  constructor(options: StoreOptions<K, V>) {
    checkStoreBounds(options);
    this.maxEntries = options.maxEntries;
    this.maxBytes = options.maxBytes;
    this.now = options.now;
    this.onRemove = options.onRemove;
  }

  get entries(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.byteCount;
  }

  get(key: K): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) {
      this.missed(key);
      return undefined;
    }
    if (entry.expiresAt !== Infinity && entry.expiresAt <= this.now()) {
      this.remove(entry, "expired");
      this.missed(key);
      return undefined;
    }
    this.touched(entry, true);
    return entry.value;
  }

  peek(key: K): V | undefined {
    const entry = this.map.get(key);
    return entry !== undefined && entry.expiresAt > this.now() ? entry.value : undefined;
  }

  set(key: K, value: V, size: number, ttlMs: number): boolean {
    checkEntryArguments(size, ttlMs);
    const old = this.map.get(key);
    if (this.maxBytes > 0 && size > this.maxBytes) {
      if (old !== undefined) this.remove(old, "replaced");
      return false;
    }
    const expiresAt = this.now() + ttlMs;
    if (old !== undefined) {
      const oldValue = old.value;
      const oldSize = old.size;
      this.byteCount += size - old.size;
      old.value = value;
      old.size = size;
      old.expiresAt = expiresAt;
      if (oldSize !== size) this.resized(old, oldSize);
      this.touched(old, false);
      this.onRemove?.(key, oldValue, "replaced");
      this.evictWhileOver();
      return old.live;
    }
    const entry = new StoreEntry(key, value, size, expiresAt);
    this.admit(entry);
    this.map.set(key, entry);
    this.byteCount += size;
    this.evictWhileOver();
    return entry.live;
  }

  delete(key: K): boolean {
    const entry = this.map.get(key);
    if (entry === undefined) return false;
    this.remove(entry, "deleted");
    return true;
  }

  clear(): void {
    this.map.clear();
    this.byteCount = 0;
    this.cleared();
  }

  keys(): IterableIterator<K> {
    return this.map.keys();
  }

  /** True while a bound is exceeded. */
  protected over(): boolean {
    return (this.maxEntries > 0 && this.map.size > this.maxEntries) || (this.maxBytes > 0 && this.byteCount > this.maxBytes);
  }

  /** Evicts the policy's victims until both bounds hold. */
  protected evictWhileOver(): void {
    while (this.over()) {
      const victim = this.victim();
      if (victim === null) return;
      this.remove(victim, "evicted");
    }
  }

  /** Takes `entry` out of the map, the accounting and the policy's queues, and reports it. */
  protected remove(entry: StoreEntry<K, V>, cause: RemovalCause): void {
    entry.live = false;
    this.map.delete(entry.key);
    this.byteCount -= entry.size;
    this.unlink(entry, cause);
    this.onRemove?.(entry.key, entry.value, cause);
  }

  /** An overwrite changed `entry.size` from `oldSize`. */
  protected resized(_entry: StoreEntry<K, V>, _oldSize: number): void {}
  /** A lookup found nothing live for `key`. */
  protected missed(_key: K): void {}
  /** Links a new entry into the policy's queues (it is not yet in the map). */
  protected abstract admit(entry: StoreEntry<K, V>): void;
  /** `entry` was read (`read`) or overwritten; update its position. */
  protected abstract touched(entry: StoreEntry<K, V>, read: boolean): void;
  /** Unlinks `entry` from the policy's queues; it has already left the map. */
  protected abstract unlink(entry: StoreEntry<K, V>, cause: RemovalCause): void;
  /** The entry to evict next, or null when there is none. */
  protected abstract victim(): StoreEntry<K, V> | null;
  /** Drops every queue after `clear()`. */
  protected abstract cleared(): void;
}

// The store interface every eviction policy implements: bounded by entries and bytes, with a TTL per
// entry and an injected clock, so the response cache can swap policies without knowing them.

/** Why an entry left a store. */
export type RemovalCause = "evicted" | "expired" | "deleted" | "replaced";

/** Bounds and clock of a store; at least one bound must be > 0. */
export interface StoreOptions<K, V> {
  /** Most entries held at once; 0 means no bound by count. */
  readonly maxEntries: number;
  /** Most summed entry sizes held at once; 0 means no bound by size. */
  readonly maxBytes: number;
  /** Clock in milliseconds; entries expire against it. */
  readonly now: () => number;
  /** Random numbers in [0, 1) for policies that use them (W-TinyLFU); default Math.random. */
  readonly random?: () => number;
  /** Called after an entry leaves the store, except through `clear()`. */
  readonly onRemove?: (key: K, value: V, cause: RemovalCause) => void;
}

/**
 * A bounded key-value store with one eviction policy. Every operation is O(1) (amortised); both
 * bounds hold after every call returns.
 */
export interface CacheStore<K, V> {
  /** Policy name, e.g. `"lru"`. */
  readonly policy: string;
  /** The live value of `key`, recording an access; `undefined` when absent or expired (then removed). */
  get(key: K): V | undefined;
  /** The live value of `key` without recording an access. */
  peek(key: K): V | undefined;
  /**
   * Stores `value` under `key` with `size` bytes for `ttlMs` (Infinity: no expiry), replacing an
   * older value. Returns false when the policy does not keep it (larger than `maxBytes`, or not
   * admitted); the store then holds no value for `key`.
   */
  set(key: K, value: V, size: number, ttlMs: number): boolean;
  /** Removes `key`; true when it was present. */
  delete(key: K): boolean;
  /** Removes every entry without calling `onRemove`. */
  clear(): void;
  /** Keys of the entries held (live or not yet noticed as expired), in no promised order. */
  keys(): IterableIterator<K>;
  /** Entries held. */
  readonly entries: number;
  /** Summed sizes of the entries held. */
  readonly bytes: number;
}

/**
 * Throws naming the field when store bounds are invalid.
 *
 * @private
 */
export function checkStoreBounds(options: Pick<StoreOptions<unknown, unknown>, "maxEntries" | "maxBytes">): void {
  const { maxEntries, maxBytes } = options;
  if (!(Number.isInteger(maxEntries) && maxEntries >= 0)) throw new Error(`maxEntries: must be an integer >= 0, got ${String(maxEntries)}`);
  if (!(Number.isFinite(maxBytes) && maxBytes >= 0)) throw new Error(`maxBytes: must be a finite number >= 0, got ${String(maxBytes)}`);
  if (maxEntries === 0 && maxBytes === 0) throw new Error("maxEntries, maxBytes: at least one must be > 0");
}

/**
 * Throws naming the field when a `set`'s size or TTL is invalid.
 *
 * @private
 */
export function checkEntryArguments(size: number, ttlMs: number): void {
  if (!(Number.isFinite(size) && size >= 0)) throw new Error(`size: must be a finite number >= 0, got ${String(size)}`);
  if (!(ttlMs > 0)) throw new Error(`ttlMs: must be > 0 (Infinity for no expiry), got ${String(ttlMs)}`);
}

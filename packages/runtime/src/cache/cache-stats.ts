// Per-method counters of the response cache, as the client's stats and the demo's summary show them.

/** What the response cache did for one method since it was created or its stats were read. */
export interface MethodCacheStats {
  /** Calls answered from a fresh entry (negative entries included). */
  hits: number;
  /** Calls that found nothing usable and started an upstream call. */
  misses: number;
  /** Calls that joined an identical upstream call already in flight. */
  coalesced: number;
  /** Calls answered from a stale entry while one background call refreshed it. */
  staleServed: number;
  /** Entries the eviction policy gave up to stay within its bounds. */
  evictions: number;
  /** Entries held now. */
  entries: number;
  /** Summed sizes of the entries held now (serialized length plus a fixed overhead each). */
  bytes: number;
}

/** Per-method stats, keyed by the method's full name, e.g. `acme.v1.ItemService/GetItem`. */
export type CacheStats = Record<string, MethodCacheStats>;

/**
 * A zeroed stats record.
 *
 * @private
 */
export function emptyMethodStats(): MethodCacheStats {
  return { hits: 0, misses: 0, coalesced: 0, staleServed: 0, evictions: 0, entries: 0, bytes: 0 };
}

// Token buckets per caller key (one bucket each, same rate and burst), with a bound on the number
// of keys kept: the least recently used key is forgotten first.
import { createTokenBucket, type TokenBucket } from "./token-bucket.js";
import { numberOption } from "./validate.js";

/** Options of {@link createKeyedTokenBuckets}. */
export interface KeyedTokenBucketsOptions {
  /** Tokens per second for each key (> 0). */
  readonly rate: number;
  /** Bucket size for each key (>= 1; default `rate`, at least 1). */
  readonly burst?: number;
  /** Most keys remembered (default 10 000); beyond it the least recently used is evicted. */
  readonly maxKeys?: number;
  /** Monotonic clock in milliseconds. */
  readonly now: () => number;
}

/** Token buckets by key. */
export interface KeyedTokenBuckets {
  /** Takes a token from `key`'s bucket (created full on first use); returns whether it did. */
  tryTake(key: string): boolean;
  /** Milliseconds until `key` has a token again (0 for an unknown key). */
  msUntil(key: string): number;
  /** Keys remembered now. */
  readonly size: number;
}

/**
 * Creates per-key token buckets. An evicted key that comes back starts with a full bucket, so
 * `maxKeys` must exceed the number of callers active within a refill period for the limit to hold.
 * @throws Error naming `rate`, `burst` or `maxKeys` when out of range.
 */
export function createKeyedTokenBuckets(options: KeyedTokenBucketsOptions): KeyedTokenBuckets {
  const maxKeys = numberOption("maxKeys", options.maxKeys, 10_000, { min: 1, integer: true });
  createTokenBucket(options); // validates rate and burst now, not at the first call
  const buckets = new Map<string, TokenBucket>();
  const bucketFor = (key: string): TokenBucket => {
    let bucket = buckets.get(key);
    if (bucket !== undefined) {
      buckets.delete(key); // re-inserted below: Map order is recency order
    } else {
      bucket = createTokenBucket(options);
      if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string);
    }
    buckets.set(key, bucket);
    return bucket;
  };
  return {
    tryTake(key) {
      return bucketFor(key).tryTake();
    },
    msUntil(key) {
      return buckets.get(key)?.msUntil() ?? 0;
    },
    get size() {
      return buckets.size;
    },
  };
}

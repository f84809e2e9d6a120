// The response cache engine: per-method bounded stores with TTL, stale-while-revalidate, coalescing
// of identical calls, optional negative caching of NOT_FOUND, invalidation and per-method stats.
import { Code, ConnectError } from "@connectrpc/connect";
import type { CachePolicy } from "../client/method-policy.js";
import type { CacheStore } from "./cache-store.js";
import { emptyMethodStats, type CacheStats, type MethodCacheStats } from "./cache-stats.js";
import { Coalescer } from "./coalescer.js";
import { withDeadline } from "../call/caller-wait.js";
import { createStore } from "./create-store.js";

/** Bytes added to each entry's serialized length to account for the entry's own bookkeeping. */
export const ENTRY_OVERHEAD_BYTES = 64;

/** How a response is kept in the cache and copied out of it, so callers never share one object. */
export interface ResponseCodec<T, S = unknown> {
  /** What the cache keeps for `value`, and `value`'s serialized length in bytes. */
  freeze(value: T): { readonly kept: S; readonly length: number };
  /** A private copy of a kept response for one caller. */
  thaw(kept: S): T;
}

/** Options of a `ResponseCache`. */
export interface ResponseCacheOptions {
  /** Monotonic clock in milliseconds; default `performance.now`. */
  readonly now?: () => number;
  /** Random numbers in [0, 1) for W-TinyLFU; default `Math.random`. */
  readonly random?: () => number;
}

/** One lookup-or-fetch through the cache. */
export interface CacheFetch<T, S = unknown> {
  /** Full method name, e.g. `acme.v1.ItemService/GetItem`: the unit of bounds, stats and invalidation. */
  readonly method: string;
  /** The call's cache key (see `cacheKey`), starting with `method`. */
  readonly key: string;
  /** The method's cache policy: TTL, bounds, eviction, stale-while-revalidate window. */
  readonly policy: CachePolicy;
  /** How long a NOT_FOUND answer is cached, in ms; 0 or absent: never. */
  readonly negativeTtlMs?: number;
  readonly codec: ResponseCodec<T, S>;
  /**
   * Makes the upstream call; `signal` aborts when every waiter has given up. Called only on a
   * miss or a refresh, so a hit never pays for what it needs (e.g. building the request message).
   */
  load(signal: AbortSignal): Promise<T>;
  /** The caller's signal: aborting it ends this caller's wait only. */
  readonly signal?: AbortSignal;
  /** The caller's own deadline in ms: its wait (not the shared call) ends with DEADLINE_EXCEEDED. */
  readonly timeoutMs?: number;
  /**
   * A label stored with the answer (e.g. the request's routing key) that `invalidate` can match;
   * read once `load` has been called.
   */
  readonly tag?: string;
}

/** Which answers of a method `invalidate` drops; all of them when absent. */
export interface InvalidationFilter {
  /** Only keys starting with this (see `cacheKeyPrefix`). */
  readonly keyPrefix?: string;
  /** Only answers stored with this tag, or with none (whose scope is unknown). */
  readonly tag?: string;
}

interface Entry {
  /** The kept response, or the cached NOT_FOUND error. */
  readonly kept: unknown;
  readonly error: ConnectError | undefined;
  readonly freshUntil: number;
  readonly tag: string | undefined;
}

interface Partition {
  policy: CachePolicy;
  store: CacheStore<string, Entry>;
  readonly stats: MethodCacheStats;
  /** Bumped by every invalidation, so a call started before it does not write its answer after it. */
  generation: number;
}

/** A private copy of a cached error, with its own metadata. */
function copyError(error: ConnectError): ConnectError {
  return new ConnectError(error.rawMessage, error.code, new Headers(error.metadata), undefined, error.cause);
}

function sameBounds(a: CachePolicy, b: CachePolicy): boolean {
  return a.maxEntries === b.maxEntries && a.maxBytes === b.maxBytes && a.eviction === b.eviction;
}

/**
 * A response cache shared by any number of clients: one bounded store per method, created with
 * the method's policy on first use (and rebuilt, empty, if the policy's bounds or eviction change).
 * Error answers are never cached, except NOT_FOUND for `negativeTtlMs` when a fetch asks for it.
 */
export class ResponseCache {
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly partitions = new Map<string, Partition>();
  private readonly coalescer = new Coalescer<unknown>();

  constructor(options: ResponseCacheOptions = {}) {
    // Bound once: reading the global `performance` goes through a getter on every call.
    this.now = options.now ?? performance.now.bind(performance);
    this.random = options.random ?? Math.random;
  }

  /**
   * The cached answer of `call.key` if fresh; a stale one (within the policy's window) while one
   * background call refreshes it; otherwise the answer of one upstream call shared by every
   * identical concurrent call. Every caller gets its own copy.
   */
  fetch<T, S>(call: CacheFetch<T, S>): Promise<T> {
    // A hit is answered without an async frame: one settled promise, no timer, no signal.
    try {
      const partition = this.partition(call.method, call.policy);
      const entry = partition.store.get(call.key);
      if (entry === undefined) return this.miss(partition, call);
      if (entry.freshUntil > this.now()) partition.stats.hits++;
      else {
        partition.stats.staleServed++;
        this.refresh(partition, call);
      }
      if (entry.error !== undefined) return Promise.reject(copyError(entry.error));
      return Promise.resolve(call.codec.thaw(entry.kept as S));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Drops cached answers of every method whose name is `method` or starts with `method + "/"` (a
   * service name drops all its methods), only those matching `filter` when given. Calls in flight
   * for those methods will not store their answers. O(entries of the method) with a filter.
   */
  invalidate(method: string, filter?: InvalidationFilter): void {
    for (const [name, partition] of this.partitions) {
      if (name !== method && !name.startsWith(`${method}/`)) continue;
      partition.generation++;
      const { store } = partition;
      if (filter === undefined || (filter.keyPrefix === undefined && filter.tag === undefined)) {
        store.clear();
        continue;
      }
      const { keyPrefix, tag } = filter;
      const doomed = [...store.keys()].filter((key) => {
        if (keyPrefix !== undefined && !key.startsWith(keyPrefix)) return false;
        if (tag === undefined) return true;
        const entry = store.peek(key);
        return entry === undefined || entry.tag === undefined || entry.tag === tag;
      });
      for (const key of doomed) store.delete(key);
    }
  }

  /** Drops every cached answer of every method; counters are kept. */
  clear(): void {
    for (const partition of this.partitions.values()) {
      partition.generation++;
      partition.store.clear();
    }
  }

  /** A snapshot of every method's counters. */
  stats(): CacheStats {
    const out: CacheStats = {};
    for (const [name, { stats, store }] of this.partitions) out[name] = { ...stats, entries: store.entries, bytes: store.bytes };
    return out;
  }

  private partition(method: string, policy: CachePolicy): Partition {
    let partition = this.partitions.get(method);
    if (partition === undefined) {
      const stats = emptyMethodStats();
      partition = { policy, store: this.createStore(policy, stats), stats, generation: 0 };
      this.partitions.set(method, partition);
    } else if (partition.policy !== policy) {
      if (!sameBounds(partition.policy, policy)) {
        partition.store = this.createStore(policy, partition.stats);
        partition.generation++;
      }
      partition.policy = policy;
    }
    return partition;
  }

  private createStore(policy: CachePolicy, stats: MethodCacheStats): CacheStore<string, Entry> {
    return createStore<string, Entry>(policy.eviction, {
      maxEntries: policy.maxEntries,
      maxBytes: policy.maxBytes,
      now: this.now,
      random: this.random,
      onRemove: (_key, _value, cause) => {
        if (cause === "evicted") stats.evictions++;
      },
    });
  }

  /** One upstream call; stores its answer (or a NOT_FOUND, if asked) unless invalidated meanwhile. */
  private async load<T, S>(partition: Partition, call: CacheFetch<T, S>, signal: AbortSignal): Promise<unknown> {
    const generation = partition.generation;
    const store = partition.store;
    const current = (): boolean => partition.generation === generation && partition.store === store;
    const { policy } = call;
    try {
      const { kept, length } = call.codec.freeze(await call.load(signal));
      if (current()) {
        const entry: Entry = { kept, error: undefined, freshUntil: this.now() + policy.ttlMs, tag: call.tag };
        store.set(call.key, entry, length + ENTRY_OVERHEAD_BYTES, policy.ttlMs + policy.staleWhileRevalidateMs);
      }
      return kept;
    } catch (reason) {
      const negativeTtl = call.negativeTtlMs ?? 0;
      if (negativeTtl > 0 && reason instanceof ConnectError && reason.code === Code.NotFound && current()) {
        const error = copyError(reason);
        const size = new TextEncoder().encode(error.rawMessage).length + ENTRY_OVERHEAD_BYTES;
        store.set(call.key, { kept: undefined, error, freshUntil: this.now() + negativeTtl, tag: call.tag }, size, negativeTtl);
      }
      throw reason;
    }
  }

  /** Nothing cached for `call.key`: joins the identical call in flight, or starts one. */
  private async miss<T, S>(partition: Partition, call: CacheFetch<T, S>): Promise<T> {
    const deadline = call.timeoutMs !== undefined && call.timeoutMs > 0 ? withDeadline(call.signal, call.timeoutMs) : undefined;
    try {
      const { joined, result } = this.coalescer.wait(call.key, (signal) => this.load(partition, call, signal), deadline?.signal ?? call.signal);
      if (joined) partition.stats.coalesced++;
      else partition.stats.misses++;
      return call.codec.thaw((await result) as S);
    } finally {
      deadline?.dispose();
    }
  }

  /** Starts one background refresh of a stale entry; its failure leaves the stale entry in place. */
  private refresh<T, S>(partition: Partition, call: CacheFetch<T, S>): void {
    this.coalescer.startDetached(call.key, (signal) => this.load(partition, call, signal))?.catch(() => {});
  }
}

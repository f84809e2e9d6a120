// Per-method policy types: what protoc-gen-sluice bakes into each generated policy table from the
// sluice.v1 options, what the policy client applies to every call, and the server-side limit.
import type { Code } from "@connectrpc/connect";
import type { DescMessage, DescService, MessageShape } from "@bufbuild/protobuf";
import type { MethodLimitsOptions } from "../server/admission/admission-options.js";

/** How safe a method is to repeat, from the method's `idempotency_level`. */
export type Idempotency = "unknown" | "idempotent" | "no-side-effects";

/** Eviction policy of a method's response cache. */
export type CacheEviction = "lru" | "lfu" | "arc" | "tinylfu";

/** Response cache of a side-effect-free method (`sluice.v1.CachePolicy`). */
export interface CachePolicy {
  /** How long a response is fresh, in milliseconds (> 0). */
  readonly ttlMs: number;
  /** Bound on cached responses; 0 means no bound by count. */
  readonly maxEntries: number;
  /** Bound on the summed serialized size of cached responses; 0 means no bound by size. */
  readonly maxBytes: number;
  /** Which entry a full cache gives up. */
  readonly eviction: CacheEviction;
  /** Window after `ttlMs` in which a stale response is served while one refresh runs; 0 is off. */
  readonly staleWhileRevalidateMs: number;
  /** Lower-case request header names that are part of the cache key. */
  readonly keyHeaders: readonly string[];
}

/**
 * Retries of a failed call (`sluice.v1.RetryPolicy`), for every method kind: a client-streaming
 * or bidi call replays its request messages, within 1 MiB per call and 16 MiB per channel.
 */
export interface RetryPolicy {
  /** Total attempts including the first (2 to 10). */
  readonly maxAttempts: number;
  /** Backoff before the first retry, in milliseconds. */
  readonly initialBackoffMs: number;
  /** Cap on the backoff, in milliseconds. */
  readonly maxBackoffMs: number;
  /** Growth of the backoff per attempt. */
  readonly backoffMultiplier: number;
  /** Codes that are retried. */
  readonly retryableCodes: readonly Code[];
}

/** Hedged attempts of a side-effect-free call (`sluice.v1.HedgePolicy`). */
export interface HedgePolicy {
  /** Total attempts including the first (2 to 10). */
  readonly maxAttempts: number;
  /** Delay before each further attempt, in milliseconds. */
  readonly hedgingDelayMs: number;
  /** Codes after which the next hedge starts at once instead of failing the call. */
  readonly nonFatalCodes: readonly Code[];
  /**
   * Hedge after the method's observed latency percentile instead of the fixed `hedgingDelayMs`
   * (which is used until enough latencies are seen): from the proto's `hedging_delay_percentile`
   * and its bounds, or set in client or call overrides.
   */
  readonly adaptiveDelay?: AdaptiveHedgeDelay;
}

/**
 * Adaptive hedging delay: a percentile of the method's recent attempt latencies, per channel (the
 * winners', and for attempts sent before a winner and cancelled, their time until cancelled),
 * raised (up to 4× it and to 4× the median) while more than 1.5 × (1 − percentile) of calls hedge.
 */
export interface AdaptiveHedgeDelay {
  /** Percentile in (0, 1) (default 0.95). */
  readonly percentile?: number;
  /** Latencies needed before the percentile is used (default 20). */
  readonly minSamples?: number;
  /** Least delay, in ms (default 1). */
  readonly floorMs?: number;
  /** Largest delay, in ms (default unbounded). */
  readonly ceilingMs?: number;
}

/** Typed accessor of a method's routing key (`sluice.v1.MethodPolicy.routing_key`). */
export interface RoutingKey<I> {
  /** The request field path as written in the .proto, e.g. `customer.id`. */
  readonly path: string;
  /** Reads the key from a request; `undefined` when a message on the path is unset. */
  readonly get: (request: I) => string | undefined;
}

/** Everything the runtime needs to know about one method's client-side policy. */
export interface MethodPolicy<I = unknown> {
  /** From the method's `idempotency_level`. */
  readonly idempotency: Idempotency;
  /** Default deadline in milliseconds, used when the caller gives none. */
  readonly timeoutMs?: number;
  /** Response cache; only on side-effect-free methods. */
  readonly cache?: CachePolicy;
  /** Retry policy; only on idempotent methods. */
  readonly retry?: RetryPolicy;
  /** Hedging policy; only on side-effect-free methods. */
  readonly hedge?: HedgePolicy;
  /** Routing key for ring-hash affinity. */
  readonly routingKey?: RoutingKey<I>;
  /**
   * Cached methods of the same service (proto names, e.g. `GetItem`) whose answers this call makes
   * stale: for the same routing key when both methods declare one, otherwise entirely.
   */
  readonly invalidates?: readonly string[];
  /**
   * Server side: the method's admission limit (`(sluice.v1.method).limit`), which `serve()` applies
   * through a limiter of this method's own when the generated `registerXxx` registers it. Clients
   * ignore it.
   */
  readonly limit?: MethodLimitsOptions;
}

/** The request message type of a method of service `S`, by its local name. */
export type MethodInput<S extends DescService, K extends keyof S["method"]> =
  S["method"][K] extends { input: infer M extends DescMessage } ? MessageShape<M> : never;

/** A generated per-service policy table: one entry per method, keyed by the method's local name. */
export type PolicyTable<S extends DescService> = {
  readonly [K in keyof S["method"]]: MethodPolicy<MethodInput<S, K>>;
};

/**
 * Caller overrides of a generated policy table, field by field per method; `null` for a field
 * (for example `{ getItem: { cache: null } }`) turns that policy off.
 */
export type PolicyOverrides<S extends DescService> = {
  readonly [K in keyof S["method"]]?: {
    readonly [F in keyof MethodPolicy<MethodInput<S, K>>]?: MethodPolicy<MethodInput<S, K>>[F] | null;
  };
};

// The plugin's intermediate model: each method's policy after reading, merging and validating the
// sluice.v1 options, as plain data ready to be printed.
import type { DescField, DescMethod, DescService } from "@bufbuild/protobuf";

/** The idempotency of a method, spelled as `@sluice/runtime`'s `Idempotency` type spells it. */
export type IdempotencyName = "unknown" | "idempotent" | "no-side-effects";

/** Eviction policy names, as `@sluice/runtime`'s `CacheEviction` type spells them. */
export type EvictionName = "lru" | "lfu" | "arc" | "tinylfu";

/** A resolved cache policy: every field present, defaults filled in. */
export interface CachePlan {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly eviction: EvictionName;
  readonly staleWhileRevalidateMs: number;
  readonly keyHeaders: readonly string[];
}

/** A resolved retry policy; codes are Connect `Code` member names (e.g. `Unavailable`). */
export interface RetryPlan {
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly backoffMultiplier: number;
  readonly retryableCodes: readonly string[];
}

/**
 * A resolved adaptive hedging delay, as `@sluice/runtime`'s `AdaptiveHedgeDelay` spells it:
 * `percentile` a fraction in (0, 1), defaults filled in, `ceilingMs` absent for no ceiling.
 */
export interface AdaptiveDelayPlan {
  readonly percentile: number;
  readonly minSamples: number;
  readonly floorMs: number;
  readonly ceilingMs?: number;
}

/** A resolved hedging policy; codes are Connect `Code` member names. */
export interface HedgePlan {
  readonly maxAttempts: number;
  readonly hedgingDelayMs: number;
  readonly nonFatalCodes: readonly string[];
  /** Set when `hedging_delay_percentile` is: hedge after that latency percentile. */
  readonly adaptiveDelay?: AdaptiveDelayPlan;
}

/** A routing key: the proto path as written and the fields it walks through, outermost first. */
export interface RoutingKeyPlan {
  readonly path: string;
  readonly fields: readonly DescField[];
}

/** Limit algorithm names, as `@sluice/runtime`'s `LimitSpec.algorithm` spells them. */
export type LimitAlgorithmName = "fixed" | "aimd" | "vegas" | "gradient2" | "envoy-gradient";

/** One setting of a limit algorithm that the .proto sets: its runtime name and value. */
export type LimitSetting = readonly [name: string, value: number];

/** A resolved server-side limit, shaped as `serve()`'s `MethodLimitsOptions`; unset settings keep the runtime's defaults. */
export interface LimitPlan {
  readonly concurrency?: {
    readonly algorithm: LimitAlgorithmName;
    readonly settings: readonly LimitSetting[];
    /** The sample window's settings (`window: {…}`), when the .proto sets a window. */
    readonly window?: readonly LimitSetting[];
  };
  readonly queue?: { readonly maxQueued: number; readonly timeoutMs: number; readonly order: "lifo" | "fifo" };
  readonly rate?: { readonly rate: number; readonly burst?: number };
}

/** Everything printed for one method. */
export interface MethodPlan {
  readonly method: DescMethod;
  readonly idempotency: IdempotencyName;
  readonly timeoutMs?: number;
  readonly cache?: CachePlan;
  readonly retry?: RetryPlan;
  readonly hedge?: HedgePlan;
  readonly routingKey?: RoutingKeyPlan;
  /** Proto names of the cached methods of the same service that this method makes stale. */
  readonly invalidates?: readonly string[];
  /** Server-side admission limit: the method's own, else the service's default. */
  readonly limit?: LimitPlan;
}

/** Everything printed for one service. */
export interface ServicePlan {
  readonly service: DescService;
  /** The service's `rxjs_unary` option: unary and client-streaming methods get a `method$` twin. */
  readonly rxjsUnary: boolean;
  readonly methods: readonly MethodPlan[];
}

// Options of serve({ limits }): the server's concurrency limit, wait queue, partitions, rate limits,
// per-method limits (beside those declared in the .proto), the status of shed calls and the load report.
import type { Code } from "@connectrpc/connect";
import type { LimitSpec } from "../../limit/create-limit.js";
import type { PartitionShares } from "../../limit/partitions.js";
import type { WaitQueueOptions } from "../../limit/wait-queue.js";
import type { OutOfBandServiceOptions } from "../load-report-service.js";

/** A token-bucket rate limit. */
export interface RateLimitOptions {
  /** Calls per second (> 0). */
  readonly rate: number;
  /** Calls allowed at once after a quiet spell (>= 1; default `rate`, at least 1). */
  readonly burst?: number;
}

/** A token-bucket rate limit per caller. */
export interface CallerRateLimitOptions extends RateLimitOptions {
  /**
   * Request header naming the caller (e.g. `"x-caller-id"`); calls without it are keyed by the
   * peer's IP address. Default: the peer's IP address.
   */
  readonly header?: string;
  /** Most callers remembered; the least recently seen is forgotten first (default 10 000). */
  readonly maxKeys?: number;
}

/** Limits of one method or service, applied in addition to the server-wide ones. */
export interface MethodLimitsOptions {
  /** Concurrency limit of this method (or service) alone. */
  readonly concurrency?: LimitSpec;
  /** Wait queue in front of this method's concurrency limit. */
  readonly queue?: WaitQueueOptions;
  /** Rate limit of this method (or service) alone. */
  readonly rate?: RateLimitOptions;
}

/** Partitions of the server-wide concurrency limit. */
export interface PartitionOptions {
  /** What names a call's partition: its method path (`"/pkg.Service/Method"`) or a request header's value. */
  readonly by: "method" | { readonly header: string };
  /** Guaranteed share of the limit per partition name, each in (0, 1], summing to at most 1. */
  readonly shares: PartitionShares;
}

/** Options of the server's load report (the `sluice-load` trailer). */
export interface LoadReportOptions {
  /** Window of the qps, errors/s and CPU figures, ms (default 1000). */
  readonly windowMs?: number;
  /** Weight of each new handler latency in its EWMA, in (0, 1] (default 0.1). */
  readonly latencyWeight?: number;
  /**
   * Serve out-of-band load reports, `sluice.v1.LoadReportService/StreamLoadReports` (default true):
   * a client's stream gets the report every interval it asks for, at least `minIntervalMs` (10) apart.
   */
  readonly outOfBand?: boolean | OutOfBandServiceOptions;
}

/**
 * `serve({ limits })`: admission control applied to each call before its request body is read.
 * A call is checked against the rate limits (server, caller, method), then the method's and the
 * server's concurrency limits (waiting in their queues when configured); a refused call is answered
 * at once with `shedCode` and a `grpc-retry-pushback-ms` hint. See docs/LIMITS.md.
 */
export interface ServerLimitsOptions extends MethodLimitsOptions {
  /** Guaranteed shares of the server-wide concurrency limit. */
  readonly partitions?: PartitionOptions;
  /** Rate limit per caller. */
  readonly callerRate?: CallerRateLimitOptions;
  /**
   * Per-method (`"/pkg.Service/Method"`) or per-service (`"pkg.Service"`) limits. A call gets the
   * first of: its method's entry here, the limit its method declares in the .proto
   * (`(sluice.v1.method).limit`), its service's entry here. The server-wide limits apply after it.
   */
  readonly methods?: Readonly<Record<string, MethodLimitsOptions>>;
  /**
   * Apply the limits methods declare in their .proto, which generated `registerXxx` functions
   * record (default true). `false` ignores them.
   */
  readonly declaredLimits?: boolean;
  /** Status of shed calls: `Code.ResourceExhausted` (default) or `Code.Unavailable`. */
  readonly shedCode?: Code;
  /**
   * `grpc-retry-pushback-ms` sent with calls shed by a concurrency limit, ms (default: the
   * handler-latency EWMA, rounded up, at least 1). Rate-limited calls get the time until a token.
   */
  readonly retryPushbackMs?: number;
  /** Attach the `sluice-load` load report to responses (default true). */
  readonly loadReport?: boolean | LoadReportOptions;
  /** Paths never limited (default `["/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"]`). */
  readonly exempt?: readonly string[];
}

// Options of createChannel, their defaults, and validation that names the bad field and the
// accepted values.
import type { RetryBudgetConfig } from "../client/retry/retry-budget.js";
import { Code } from "@connectrpc/connect";
import type { BalancerConfig } from "./pickers/registry.js";
import type { BackoffOptions } from "./backoff.js";
import type { OutlierDetectorOptions } from "./outlier-detector.js";
import type { KeepaliveOptions } from "./subchannel.js";
import {
  protocols,
  transportImplementations,
  type EndpointTransportOptions,
  type Protocol,
  type TransportImplementation,
} from "./protocol.js";
import type { Resolver } from "./resolver.js";
import type { CallObserver } from "./call-observer.js";
import type { LoadReportWeightOptions } from "./load/load-report-weight.js";
import { createLimitAlgorithm, type LimitSpec } from "../limit/create-limit.js";
import type { EtcdTargetOptions } from "./resolvers/etcd-resolver.js";
import type { MemoryRegistry } from "../discovery/memory-registry.js";
import { maxTimerDelayMs } from "../transport/deadline-timer.js";
import { clientFlowControlDefaults, resolveFlowControl } from "../transport/flow-control.js";
import { validateChannelTls, type ChannelTlsOptions } from "./channel-tls.js";
import type { CallCredentials } from "./call-credentials.js";

/** Out-of-band load reports of `createChannel({ loadReports: { outOfBand } })`. */
export interface OutOfBandLoadReportOptions {
  /** Interval between reports asked of each server, ms (an integer >= 1; servers raise it to their minimum, 10 ms by default). */
  readonly intervalMs: number;
}

/** Options of {@link createChannel}. */
export interface ChannelOptions {
  /**
   * Where the endpoints come from: `static:///127.0.0.1:8081,127.0.0.1:8082`,
   * `dns:///inventory.internal:8080`, `dns:///_grpc._tcp.inventory.internal` (SRV),
   * `etcd:///inventory` or `etcd://10.0.0.5:2379/inventory` (etcd's gRPC naming, see
   * docs/DISCOVERY.md), `registry:///inventory` (the in-process registry), or a bare `host:port` (DNS).
   */
  readonly target: string;
  /** Wire protocol (default `"grpc"`). */
  readonly protocol?: Protocol;
  /** Balancing policy: a picker name or `{ policy, ...options }` (default `"round-robin"`). */
  readonly balancer?: BalancerConfig;
  /**
   * When no endpoint is ready: `false` (default) fails a call at once with UNAVAILABLE once every
   * endpoint is in transient failure; `true` waits for one to become ready, up to the deadline.
   */
  readonly waitForReady?: boolean;
  /** Upper bound on how long a call waits for a ready endpoint (default 20 s; also bounded by the deadline). */
  readonly pickTimeoutMs?: number;
  /**
   * Passed to each endpoint's Connect transport (interceptors, formats, size limits, compression,
   * `implementation`), or just the implementation: `"sluice"` (default, the fast path) or
   * `"connect-node"` (connect-node's transports). See docs/TRANSPORTS.md.
   */
  readonly transport?: EndpointTransportOptions | TransportImplementation;
  /** HTTP/2 PING keepalive and idle timeout of each endpoint's session. */
  readonly keepalive?: KeepaliveOptions;
  /** Reconnect backoff (gRPC connection-backoff defaults: 1 s, ×1.6, jitter 0.2, max 120 s). */
  readonly backoff?: BackoffOptions;
  /** Passive outlier ejection; `false` turns it off (default on, with the detector's defaults). */
  readonly outlierDetection?: OutlierDetectorOptions | false;
  /**
   * Codes that count as an endpoint failure for outlier ejection (default UNAVAILABLE, which a lost
   * or refused connection also reports). DEADLINE_EXCEEDED is not in the default (a caller's own short
   * deadline says nothing about the endpoint), nor is INTERNAL (a handler that threw). Calls the
   * caller cancelled never count.
   */
  readonly failureCodes?: readonly Code[];
  /**
   * Observers that see every call attempt's start and end (endpoint, code, latency, time to first
   * message, headers, trailers), e.g. for metrics. They run on the call's path: keep them cheap.
   */
  readonly observers?: readonly CallObserver[];
  /** Watch each endpoint's grpc.health.v1 status for this service name and skip endpoints that are not SERVING. */
  readonly healthCheck?: { readonly service: string };
  /** Time constant of each endpoint's latency EWMA, in milliseconds (default 10 s). */
  readonly ewmaDecayMs?: number;
  /**
   * Least weight of a lower latency sample in each endpoint's EWMA, in [0, 1] (default 0.1), so a
   * busy endpoint sheds a transient peak within a few dozen calls; 0 is Finagle's time-only blend.
   */
  readonly ewmaSampleWeight?: number;
  /**
   * How the servers' load reports (`sluice-load` trailers) become each endpoint's weight for the
   * `load-report` picker: gRFC A58's `blackoutMs` (10 s), `expirationMs` (3 min) and
   * `errorUtilizationPenalty` (1). With `outOfBand: { intervalMs }` the channel also keeps one
   * `sluice.v1.LoadReportService` stream open per endpoint, asking for a report every `intervalMs`
   * (as ORCA's out-of-band mode); while it delivers, its reports replace the per-call ones, and a
   * server without the service (UNIMPLEMENTED) is left to its per-call reports.
   */
  readonly loadReports?: LoadReportWeightOptions & { readonly outOfBand?: OutOfBandLoadReportOptions };
  /**
   * A client-side adaptive concurrency limit per endpoint (`{ algorithm: "aimd" | "vegas" |
   * "gradient2" | "envoy-gradient" | "fixed", … }`, docs/LIMITS.md). Pickers skip an endpoint at
   * its limit; when every endpoint is, a call fails at once with RESOURCE_EXHAUSTED, or with
   * `queue` waits (at most `maxQueued` calls, each at most `timeoutMs`) for a place. Such a call is
   * never sent; `isShedAtCaller(error)` tells its error from a server's shed. The limit counts a
   * call from its pick to its end, so its RTT includes the trip to the server and back.
   */
  readonly endpointLimit?: LimitSpec & { readonly queue?: { readonly maxQueued: number; readonly timeoutMs: number } };
  /** DNS settings for `dns:` targets. */
  readonly dns?: { readonly server?: string; readonly refreshIntervalMs?: number };
  /** etcd settings for `etcd:` targets (endpoints, TLS, auth); endpoints in the target win. */
  readonly etcd?: EtcdTargetOptions;
  /** The registry of `registry:` targets (default: the process-wide `defaultMemoryRegistry`). */
  readonly registry?: MemoryRegistry;
  /**
   * The retry budget every client on this channel spends its retries and hedges from: Finagle's
   * `{ type: "windowed" }` (default: 20 % of requests over 10 s plus 10 per second) or gRPC's
   * `{ type: "throttling", maxTokens, tokenRatio }`. See docs/RETRIES.md.
   */
  readonly retryBudget?: RetryBudgetConfig;
  /** A resolver to use instead of the one the target's scheme selects. */
  readonly resolver?: Resolver;
  /**
   * Connect to every endpoint over TLS (`true`: verify servers against node's root CAs). SNI and
   * the certificate check use the target's host name, not the resolved IP. Never falls back to
   * plaintext. See docs/TLS.md.
   */
  readonly tls?: ChannelTlsOptions | boolean;
  /** `:authority` of every request (default: the target's host name and the endpoint's port with `tls`, else the endpoint's address). */
  readonly authority?: string;
  /**
   * Headers that authenticate each call attempt (e.g. a bearer token; see createTokenCredentials),
   * added before the `transport.interceptors` run. A provider that fails fails the call with
   * UNAUTHENTICATED without sending it.
   */
  readonly credentials?: CallCredentials;
  /** Clock in milliseconds (default `performance.now`); for tests. */
  readonly now?: () => number;
  /** Randomness in [0, 1) (default `Math.random`); for tests. */
  readonly random?: () => number;
}

/** Default failure codes for outlier ejection: only what says the endpoint is unreachable or down. */
export const defaultFailureCodes: readonly Code[] = [Code.Unavailable];

/** Throws when a numeric option is not a finite number >= `min`. @private */
export function requireNumber(field: string, value: number | undefined, min: number): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= min)) {
    throw new Error(`${field}: must be a finite number >= ${min}, got ${String(value)}`);
  }
}

/** Validates the options that createChannel reads itself (pickers, backoff and the detector validate theirs). @private */
export function validateChannelOptions(options: ChannelOptions): void {
  if (typeof options.target !== "string" || options.target.length === 0) {
    throw new Error(`target: must be a non-empty string such as "static:///127.0.0.1:8081" or "dns:///name:port"`);
  }
  if (options.protocol !== undefined && !protocols.includes(options.protocol)) {
    throw new Error(`protocol: unknown protocol "${String(options.protocol)}"; accepted: ${protocols.join(", ")}`);
  }
  const implementation = typeof options.transport === "string" ? options.transport : options.transport?.implementation;
  if (implementation !== undefined && !transportImplementations.includes(implementation)) {
    throw new Error(
      `transport: unknown implementation "${String(implementation)}"; accepted: ${transportImplementations.join(", ")}`,
    );
  }
  if (typeof options.transport === "object") resolveFlowControl(options.transport.flowControl, clientFlowControlDefaults, "transport.flowControl");
  validateChannelTls(options.tls, options.authority);
  if (options.credentials !== undefined && typeof options.credentials !== "function") {
    throw new Error("credentials: must be a function returning the call's headers (sync or async), e.g. createTokenCredentials({ fetchToken })");
  }
  requireNumber("pickTimeoutMs", options.pickTimeoutMs, 0);
  for (const field of ["pingIntervalMs", "pingTimeoutMs", "idleConnectionTimeoutMs"] as const) {
    const value = options.keepalive?.[field];
    // Node's timers take at most 2^31 - 1 ms; a longer one would fire at once.
    if (value !== undefined && !(Number.isFinite(value) && value > 0 && value <= maxTimerDelayMs)) {
      throw new Error(`keepalive.${field}: must be a number of milliseconds from 1 to ${maxTimerDelayMs}, got ${String(value)}`);
    }
  }
  requireNumber("ewmaDecayMs", options.ewmaDecayMs, 1);
  validateOutOfBand(options.loadReports?.outOfBand);
  if (options.ewmaSampleWeight !== undefined && !(options.ewmaSampleWeight >= 0 && options.ewmaSampleWeight <= 1)) {
    throw new Error(`ewmaSampleWeight: must be a number from 0 to 1, got ${String(options.ewmaSampleWeight)}`);
  }
  if (options.healthCheck !== undefined && typeof options.healthCheck.service !== "string") {
    throw new Error(`healthCheck.service: must be a string (the service name, "" for the whole server)`);
  }
  // Each endpoint builds its own limiter when it appears; build one now so bad settings throw here.
  if (options.endpointLimit !== undefined) createLimitAlgorithm(options.endpointLimit, { now: () => 0, random: () => 0.5 }, "endpointLimit");
  const queue = options.endpointLimit?.queue;
  if (queue !== undefined) {
    if (!(Number.isInteger(queue.maxQueued) && queue.maxQueued >= 1)) {
      throw new Error(`endpointLimit.queue.maxQueued: must be an integer >= 1, got ${String(queue.maxQueued)}`);
    }
    if (!(Number.isFinite(queue.timeoutMs) && queue.timeoutMs > 0)) {
      throw new Error(`endpointLimit.queue.timeoutMs: must be a finite number > 0 (milliseconds), got ${String(queue.timeoutMs)}`);
    }
  }
  for (const code of options.failureCodes ?? []) {
    if (Code[code] === undefined) {
      throw new Error(`failureCodes: ${String(code)} is not a Connect Code; accepted: ${Object.keys(Code).filter((k) => isNaN(Number(k))).join(", ")}`);
    }
  }
}

/** Checks `loadReports.outOfBand`. */
function validateOutOfBand(outOfBand: OutOfBandLoadReportOptions | undefined): void {
  if (outOfBand === undefined) return;
  if (outOfBand === null || typeof outOfBand !== "object") {
    throw new Error(`loadReports.outOfBand: must be an object { intervalMs }, got ${String(outOfBand)}`);
  }
  const ms = outOfBand.intervalMs;
  if (!(typeof ms === "number" && Number.isInteger(ms) && ms >= 1 && ms <= maxTimerDelayMs)) {
    throw new Error(`loadReports.outOfBand.intervalMs: must be an integer number of milliseconds from 1 to ${maxTimerDelayMs}, got ${String(ms)}`);
  }
}

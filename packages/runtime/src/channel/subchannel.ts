// A subchannel: one endpoint's HTTP/2 session and Connect transport, with its connectivity state
// (following the connection's GOAWAY, close and error events), reconnect backoff, and the load the
// channel's call observers record (in flight, latency EWMA, failure share). Pickers read it.
import type { Transport } from "@connectrpc/connect";
import type { ConnectivityState } from "./connectivity-state.js";
import type { PickCandidate } from "./picker.js";
import { createEndpointLink, type EndpointTransportOptions, type Protocol, type TransportImplementation } from "./protocol.js";
import { createBackoff, type BackoffOptions } from "./backoff.js";
import { createPeakEwma } from "./load/peak-ewma.js";
import { createFailureRate } from "./load/failure-rate.js";
import { createLoadReportWeight, type LoadReportWeightOptions } from "./load/load-report-weight.js";
import type { LoadReport } from "../limit/load-report.js";
import type { OutOfBandState } from "./load-report-stream.js";
import { createLimiter, type Limiter, type Token } from "../limit/limiter.js";
import { createLimitAlgorithm, type LimitSpec } from "../limit/create-limit.js";
import type { Endpoint } from "./resolver.js";
import { createEndpointDial, type EndpointSecurity } from "./endpoint-dial.js";

/** HTTP/2 keepalive and idle settings of each endpoint's session. */
export interface KeepaliveOptions {
  /** Send a PING after this long without a frame from the server (default: never). */
  readonly pingIntervalMs?: number;
  /** Close the session when a PING is not answered within this time (default 15 s). */
  readonly pingTimeoutMs?: number;
  /** Also ping sessions that have no open streams (default false). */
  readonly pingIdleConnection?: boolean;
  /** Close a session that has had no streams for this long (default 15 min). */
  readonly idleConnectionTimeoutMs?: number;
}

/** A point-in-time view of one subchannel, as `channel.stats()` reports it. */
export interface SubchannelStats {
  readonly address: string;
  readonly weight: number;
  readonly state: ConnectivityState;
  /** False while the endpoint's health service reports it not SERVING. */
  readonly healthy: boolean;
  /** True once the endpoint has left the resolved set and waits for its calls to finish. */
  readonly draining: boolean;
  readonly inFlight: number;
  /** Peak-EWMA latency in milliseconds, or `undefined` before the first call. */
  readonly latencyEwmaMs: number | undefined;
  /** Recent share of failed calls, time-decayed, in [0, 1]. */
  readonly failureRate: number;
  readonly calls: number;
  readonly failures: number;
  /** Times the connection in use received GOAWAY, closed or failed. */
  readonly connectionLosses: number;
  /** The last load report the endpoint's server sent, if any. */
  readonly loadReport: LoadReport | undefined;
  /** The weight the load-report picker gives the endpoint now (0: none yet, or expired). */
  readonly loadWeight: number;
  /** Where the endpoint's out-of-band load-report stream stands; undefined when the channel does not open one. */
  readonly outOfBand: OutOfBandState | undefined;
  /** The client-side concurrency limit of the endpoint and calls under it, when one is configured. */
  readonly limit: { readonly limit: number; readonly inFlight: number } | undefined;
}

/** Construction options of a subchannel. @private */
export interface SubchannelOptions {
  readonly endpoint: Endpoint;
  readonly protocol: Protocol;
  /** Transport options, or just the implementation's name. */
  readonly transportOptions: EndpointTransportOptions | TransportImplementation;
  readonly keepalive: KeepaliveOptions;
  /** TLS and `:authority` (default plaintext, the address as authority). */
  readonly security?: EndpointSecurity;
  readonly backoff: BackoffOptions;
  readonly ewmaDecayMs: number;
  readonly ewmaSampleWeight: number;
  /** How load reports turn into a weight (gRFC A58's blackout, expiry and error penalty). */
  readonly loadReportWeight?: LoadReportWeightOptions;
  /** A client-side adaptive concurrency limit per endpoint; none when undefined. */
  readonly endpointLimit?: LimitSpec;
  readonly now: () => number;
  readonly random: () => number;
  /** Called after every state, health or draining change. */
  readonly onChange: (subchannel: Subchannel) => void;
  /** Called when a connection attempt fails (the channel asks the resolver to refresh). */
  readonly onConnectFailure: (subchannel: Subchannel) => void;
}

/** One endpoint of a channel. @private */
export interface Subchannel extends PickCandidate {
  readonly metadata: Readonly<Record<string, string>>;
  readonly state: ConnectivityState;
  readonly healthy: boolean;
  readonly draining: boolean;
  /** The endpoint's own Connect transport (its HTTP/2 session). */
  readonly transport: Transport;
  /** Why the last TLS (or authority-overridden) connection attempt failed, if it did. */
  readonly lastConnectError: Error | undefined;
  /** Starts connecting when idle; no-op otherwise. */
  connect(): void;
  /** Counts a call in flight (the in-flight observer calls it when a call starts). */
  callStarted(): void;
  /** Counts a call's end; `failed` when the endpoint failed it. */
  callEnded(failed: boolean): void;
  /** Feeds one latency sample, in milliseconds, into the endpoint's peak-EWMA. */
  recordLatency(latencyMs: number): void;
  /** Feeds one call outcome into the endpoint's failure share. */
  recordOutcome(failed: boolean): void;
  /**
   * Feeds a load report the endpoint's server sent, with a call (`"call"`, the default) or on its
   * out-of-band stream; while that stream delivers, reports that come with calls are skipped.
   */
  recordLoadReport(report: LoadReport, source?: "call" | "out-of-band"): void;
  /** Sets where the endpoint's out-of-band load-report stream stands. */
  setOutOfBand(state: OutOfBandState): void;
  /** Takes a place under the endpoint's concurrency limit; `undefined` when at the limit or when there is no limit. */
  acquireLimit(): Token | undefined;
  /** A call failed as if the connection were lost: verify it, and reconnect with backoff if so. */
  checkConnection(): void;
  /** Sets the health reported by the endpoint's health service. */
  setHealthy(healthy: boolean): void;
  /** Takes no new calls; closes once the calls in flight have finished. */
  drain(): Promise<void>;
  /** Closes the session now, failing calls in flight. */
  shutdown(): void;
  stats(): SubchannelStats;
}

/** Delay of the second look at a session after a call on it failed with UNAVAILABLE. */
const connectionRecheckMs = 50;

/** Creates a subchannel for one endpoint; it stays idle until `connect()`. @private */
export function createSubchannel(options: SubchannelOptions): Subchannel {
  const { endpoint, now } = options;
  const transportOptions =
    typeof options.transportOptions === "string" ? { implementation: options.transportOptions } : options.transportOptions;
  const dial = createEndpointDial(endpoint, options.security ?? {});
  const { connection: manager, transport } = createEndpointLink(
    options.protocol,
    dial.baseUrl,
    dial.sessionOptions === undefined ? options.keepalive : { ...options.keepalive, http2SessionOptions: dial.sessionOptions },
    transportOptions,
  );
  const backoff = createBackoff(options.backoff, options.random);
  const ewma = createPeakEwma({ decayMs: options.ewmaDecayMs, sampleWeight: options.ewmaSampleWeight, now });
  const failureRate = createFailureRate({ decayMs: options.ewmaDecayMs, now });
  const loadWeight = createLoadReportWeight(options.loadReportWeight);
  const reportedLatency = createPeakEwma({ decayMs: options.ewmaDecayMs, sampleWeight: options.ewmaSampleWeight, now });
  let lastReport: LoadReport | undefined;
  let outOfBand: OutOfBandState | undefined;
  const limiter: Limiter | undefined =
    options.endpointLimit === undefined
      ? undefined
      : createLimiter({ algorithm: createLimitAlgorithm(options.endpointLimit, { now, random: options.random }, "endpointLimit"), now });
  let connectionLosses = 0;
  let state: ConnectivityState = "idle";
  let healthy = true;
  let draining = false;
  let inFlight = 0;
  let calls = 0;
  let failures = 0;
  let attempt: Promise<void> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let recheckTimer: ReturnType<typeof setTimeout> | undefined;
  let drained: (() => void) | undefined;
  let draining$: Promise<void> | undefined;

  const setState = (next: ConnectivityState): void => {
    if (state === next || state === "shutdown") return;
    state = next;
    options.onChange(subchannel);
  };

  /** The connection failed: transient failure, and a new attempt after the backoff. */
  const connectionFailed = (): void => {
    setState("transient-failure");
    options.onConnectFailure(subchannel);
    const delay = backoff.next();
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      attemptConnect();
    }, delay);
    retryTimer.unref?.();
  };

  const attemptConnect = (): void => {
    if (attempt !== undefined || state === "shutdown") return;
    setState("connecting");
    attempt = manager.connect().then((result) => {
      attempt = undefined;
      if (state === "shutdown") return;
      if (result === "error") {
        connectionFailed();
      } else {
        backoff.reset();
        setState("ready");
      }
    });
  };

  /** Checks a ready session without leaving "ready"; only a failed check changes the state. */
  const verify = (): void => {
    if (attempt !== undefined || state !== "ready") return;
    attempt = manager.connect().then((result) => {
      attempt = undefined;
      if (state === "ready" && result === "error") connectionFailed();
    });
  };

  /**
   * The session in use got GOAWAY, closed or failed: stop picking this endpoint now and go idle
   * (as gRPC does), before the next call instead of after a failed one. The channel connects it
   * again when other endpoints carry the traffic meanwhile, or when a call needs it. Calls already
   * on the old session finish there.
   */
  manager.onEvent(() => {
    if (state !== "ready") return;
    connectionLosses++;
    setState("idle");
  });

  const closeIfDrained = (): void => {
    if (draining && inFlight === 0 && drained !== undefined) subchannel.shutdown();
  };

  const subchannel: Subchannel = {
    address: endpoint.address,
    weight: endpoint.weight ?? 1,
    metadata: endpoint.metadata ?? {},
    transport,
    get lastConnectError() {
      return dial.lastError();
    },
    get state() {
      return state;
    },
    get healthy() {
      return healthy;
    },
    get draining() {
      return draining;
    },
    get inFlight() {
      return inFlight;
    },
    latencyEstimate(nowMs) {
      return ewma.estimate(nowMs);
    },
    failureRate(nowMs) {
      return failureRate.rate(nowMs);
    },
    loadWeight(nowMs) {
      return loadWeight.weight(nowMs);
    },
    reportedLatency(nowMs) {
      return reportedLatency.estimate(nowMs);
    },
    get atLimit() {
      return limiter !== undefined && limiter.inFlight >= limiter.limit;
    },
    connect() {
      if (state === "idle") attemptConnect();
    },
    callStarted() {
      inFlight++;
      calls++;
    },
    callEnded(failed) {
      inFlight--;
      if (failed) failures++;
      closeIfDrained();
    },
    recordLatency(latencyMs) {
      ewma.observe(Math.max(0, latencyMs));
    },
    recordOutcome(failed) {
      failureRate.observe(failed);
    },
    recordLoadReport(report, source = "call") {
      // One definition of utilization at a time: the stream's (averaged since its previous
      // report) while it delivers, the per-call trailers' otherwise.
      if (source === "call" && outOfBand === "streaming") return;
      lastReport = report;
      loadWeight.onReport(report, now());
      if (report.latMs !== undefined) reportedLatency.observe(report.latMs);
    },
    setOutOfBand(state) {
      outOfBand = state;
    },
    acquireLimit() {
      return limiter?.tryAcquire(undefined);
    },
    checkConnection() {
      // The call failed below the server (the channel never calls this for a status the server
      // sent), so new calls wait while the connection is checked: a healthy session answers at
      // once, a dead one enters transient failure with backoff. Node resets a dying session's
      // streams a moment before it marks the session destroyed, so a session that still looked
      // alive is verified once more shortly after, this time staying ready meanwhile.
      if (state !== "ready") return;
      attemptConnect();
      if (recheckTimer === undefined) {
        recheckTimer = setTimeout(() => {
          recheckTimer = undefined;
          verify();
        }, connectionRecheckMs);
        recheckTimer.unref?.();
      }
    },
    setHealthy(next) {
      if (healthy === next) return;
      healthy = next;
      options.onChange(subchannel);
    },
    drain() {
      if (draining$ !== undefined) return draining$;
      if (state === "shutdown") return Promise.resolve();
      draining = true;
      options.onChange(subchannel);
      draining$ = new Promise<void>((resolve) => {
        drained = resolve;
      });
      closeIfDrained();
      return draining$;
    },
    shutdown() {
      if (recheckTimer !== undefined) clearTimeout(recheckTimer);
      recheckTimer = undefined;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      retryTimer = undefined;
      if (state !== "shutdown") {
        state = "shutdown";
        manager.abort();
        options.onChange(subchannel);
      }
      // A drain cut short by a forced shutdown is over too.
      drained?.();
      drained = undefined;
    },
    stats() {
      return {
        address: endpoint.address,
        weight: endpoint.weight ?? 1,
        state,
        healthy,
        draining,
        inFlight,
        latencyEwmaMs: ewma.estimate(),
        failureRate: failureRate.rate(),
        calls,
        failures,
        connectionLosses,
        loadReport: lastReport,
        loadWeight: loadWeight.weight(now()),
        outOfBand,
        limit: limiter === undefined ? undefined : { limit: limiter.limit, inFlight: limiter.inFlight },
      };
    },
  };
  return subchannel;
}

// createChannel: a Connect Transport that balances calls over the endpoints a resolver reports,
// one subchannel (HTTP/2 session) per endpoint; unary calls pick per attempt, streams are pinned.
import { Code, ConnectError, type Transport, type ContextValues } from "@connectrpc/connect";
import type { StreamResponse, UnaryResponse } from "@connectrpc/connect";
import type { DescMessage } from "@bufbuild/protobuf";
import { routingKeyContext } from "../client/routing-key.js";
import { defaultFailureCodes, validateChannelOptions, type ChannelOptions } from "./channel-options.js";
import type { ConnectivityState } from "./connectivity-state.js";
import type { Picker, PickerEnv } from "./picker.js";
import { resolvePickerPolicy } from "./pickers/registry.js";
import { createOutlierDetector, type OutlierDetector } from "./outlier-detector.js";
import type { Endpoint, Resolver } from "./resolver.js";
import { createResolver } from "./resolvers/registry.js";
import { createSubchannel, type Subchannel, type SubchannelStats } from "./subchannel.js";
import { watchHealth, type HealthWatch } from "./health-watcher.js";
import { createReadyWaiters } from "./ready-waiters.js";
import { connectionAwareError, mayBeConnectionLoss } from "./connection-errors.js";
import { deadlineOf } from "../transport/deadline-timer.js";

const noKey = {};

/** Something that happened on a channel, for dashboards, logs and tests. */
export type ChannelEvent =
  | { readonly type: "state"; readonly address: string; readonly state: ConnectivityState; readonly healthy: boolean }
  | { readonly type: "endpoints"; readonly addresses: readonly string[] }
  | { readonly type: "resolver-error"; readonly error: Error }
  | { readonly type: "ejected" | "returned"; readonly address: string };

/** Per-endpoint statistics of a channel. */
export interface EndpointStats extends SubchannelStats {
  /** Currently ejected by outlier detection. */
  readonly ejected: boolean;
  /** Times ejected since the endpoint appeared. */
  readonly ejections: number;
}

/** A point-in-time view of a channel. */
export interface ChannelStats {
  readonly target: string;
  readonly policy: string;
  readonly endpoints: readonly EndpointStats[];
}

/** A load-balancing Connect transport over a changing set of endpoints. */
export interface Channel extends Transport {
  readonly target: string;
  /** Per-endpoint state, in-flight calls, latency EWMA, calls, failures and ejections. */
  stats(): ChannelStats;
  /** Subscribes to channel events; returns the unsubscribe function. */
  onEvent(listener: (event: ChannelEvent) => void): () => void;
  /** Resolves once at least one endpoint is ready (or rejects after `timeoutMs`). */
  waitForReady(timeoutMs?: number): Promise<void>;
  /**
   * Stops resolving, refuses new calls, lets calls in flight finish for up to `graceMs` (default
   * 5 s; a stream nobody reads would otherwise hold the channel open forever), then closes every
   * session, failing what is still in flight.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Creates a channel: resolves `options.target`, keeps one subchannel per endpoint and balances
 * calls with the configured picker. A channel is a Connect `Transport`, so it works with generated
 * Sluice clients and with plain `createClient`.
 *
 * @example
 * ```ts
 * const channel = createChannel({ target: "static:///127.0.0.1:8081,127.0.0.1:8082", balancer: "peak-ewma" });
 * const client = createInventoryServiceClient(channel);
 * ```
 */
export function createChannel(options: ChannelOptions): Channel {
  validateChannelOptions(options);
  const now = options.now ?? (() => performance.now());
  const random = options.random ?? Math.random;
  const env: PickerEnv = { now, random };
  const policy = resolvePickerPolicy(options.balancer ?? "round-robin");
  const failureCodes = new Set(options.failureCodes ?? defaultFailureCodes);
  const pickTimeoutMs = options.pickTimeoutMs ?? 20_000;
  const listeners = new Set<(event: ChannelEvent) => void>();
  const emit = (event: ChannelEvent): void => {
    for (const listener of listeners) listener(event);
  };
  const subchannels = new Map<string, Subchannel>();
  const healthWatches = new Map<string, HealthWatch>();
  const draining = new Set<Subchannel>();
  const waiters = createReadyWaiters();
  let picker: Picker<Subchannel> | undefined;
  let resolved = false;
  let closed = false;
  let lastResolverError: Error | undefined;

  const detector: OutlierDetector | undefined =
    options.outlierDetection === false
      ? undefined
      : createOutlierDetector(options.outlierDetection ?? {}, now);
  let unejectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Ejections end on the detector's clock; a timer makes sure the endpoint returns on time. */
  const scheduleUneject = (): void => {
    if (unejectTimer !== undefined) clearTimeout(unejectTimer);
    unejectTimer = undefined;
    const at = detector?.nextUnejectAt();
    if (at === undefined || closed) return;
    unejectTimer = setTimeout(() => {
      unejectTimer = undefined;
      detector?.tick();
      scheduleUneject();
    }, Math.max(0, at - now()));
    unejectTimer.unref?.();
  };
  detector?.onChange((address, ejected) => {
    emit({ type: ejected ? "ejected" : "returned", address });
    rebuildPicker();
    scheduleUneject();
  });

  const rebuildPicker = (): void => {
    const ready: Subchannel[] = [];
    for (const sub of subchannels.values()) {
      if (sub.state === "ready" && sub.healthy && !sub.draining && detector?.isEjected(sub.address) !== true) {
        ready.push(sub);
      }
    }
    picker = ready.length > 0 ? policy.build(ready, env) : undefined;
    waiters.wake();
  };

  const lastStates = new Map<Subchannel, ConnectivityState>();
  const onSubchannelChange = (sub: Subchannel): void => {
    if (sub.state === "ready" && lastStates.get(sub) !== "ready") {
      // The connection is back: a health watch waiting out its backoff looks again at once.
      healthWatches.get(sub.address)?.restart();
    }
    if (sub.state === "shutdown") lastStates.delete(sub);
    else lastStates.set(sub, sub.state);
    if (!sub.draining) {
      emit({ type: "state", address: sub.address, state: sub.state, healthy: sub.healthy });
    }
    rebuildPicker();
  };

  const addEndpoint = (endpoint: Endpoint): void => {
    const sub = createSubchannel({
      endpoint,
      protocol: options.protocol ?? "grpc",
      transportOptions: options.transport ?? {},
      keepalive: options.keepalive ?? {},
      backoff: options.backoff ?? {},
      ewmaDecayMs: options.ewmaDecayMs ?? 10_000,
      ewmaSampleWeight: options.ewmaSampleWeight ?? 0.1,
      now,
      random,
      onChange: onSubchannelChange,
      onConnectFailure: () => resolver.refresh(),
    });
    subchannels.set(endpoint.address, sub);
    if (options.healthCheck !== undefined) {
      healthWatches.set(
        endpoint.address,
        watchHealth(sub.transport, options.healthCheck.service, (serving) => sub.setHealthy(serving)),
      );
    }
    sub.connect();
  };

  const removeEndpoint = (sub: Subchannel): void => {
    subchannels.delete(sub.address);
    healthWatches.get(sub.address)?.close();
    healthWatches.delete(sub.address);
    draining.add(sub);
    void sub.drain().then(() => draining.delete(sub));
  };

  const resolver: Resolver =
    options.resolver ??
    createResolver(options.target, {
      dnsServer: options.dns?.server,
      refreshIntervalMs: options.dns?.refreshIntervalMs,
    });
  resolver.start({
    onEndpoints(endpoints) {
      if (closed) return;
      resolved = true;
      lastResolverError = undefined;
      const next = new Map(endpoints.map((e) => [e.address, e]));
      for (const sub of [...subchannels.values()]) {
        const endpoint = next.get(sub.address);
        if (endpoint === undefined || (endpoint.weight ?? 1) !== sub.weight) {
          removeEndpoint(sub);
        }
      }
      for (const endpoint of endpoints) {
        if (!subchannels.has(endpoint.address)) addEndpoint(endpoint);
      }
      detector?.setAddresses([...subchannels.keys()]);
      emit({ type: "endpoints", addresses: [...subchannels.keys()] });
      rebuildPicker();
    },
    onError(error) {
      lastResolverError = error;
      emit({ type: "resolver-error", error });
      waiters.wake();
    },
  });

  const describeEndpoints = (): string => {
    if (subchannels.size === 0) {
      return lastResolverError !== undefined
        ? `no endpoints for ${options.target}: ${lastResolverError.message}`
        : `no endpoints for ${options.target}`;
    }
    const parts = [...subchannels.values()].map((s) => {
      const notes: string[] = [s.state];
      if (!s.healthy) notes.push("not serving");
      if (detector?.isEjected(s.address) === true) notes.push("ejected");
      return `${s.address} ${notes.join(", ")}`;
    });
    return `no ready endpoint for ${options.target} (${parts.join("; ")})`;
  };

  /** True when waiting cannot help a fail-fast call: nothing is, or is about to be, connecting. */
  const nothingPending = (): boolean => {
    if (!resolved) return lastResolverError !== undefined;
    for (const sub of subchannels.values()) {
      if (sub.state === "connecting" || sub.state === "idle") return false;
    }
    return true;
  };

  const pick = async (
    contextValues: ContextValues | undefined,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
  ): Promise<Subchannel> => {
    const routingKey = contextValues?.get(routingKeyContext);
    const args = routingKey === undefined ? noKey : { routingKey };
    const started = now();
    const budget = Math.min(timeoutMs ?? pickTimeoutMs, pickTimeoutMs);
    for (;;) {
      if (closed) throw new ConnectError("channel closed", Code.Unavailable);
      const sub = picker?.pick(args);
      if (sub !== undefined) return sub;
      if (options.waitForReady !== true && nothingPending()) {
        throw new ConnectError(describeEndpoints(), Code.Unavailable);
      }
      const left = budget - (now() - started);
      if (left <= 0) {
        const code = timeoutMs !== undefined && timeoutMs <= pickTimeoutMs ? Code.DeadlineExceeded : Code.Unavailable;
        throw new ConnectError(`timed out waiting for an endpoint: ${describeEndpoints()}`, code);
      }
      await waiters.wait(left, signal);
    }
  };

  /** The caller's timeout less the time spent waiting for an endpoint, in whole milliseconds. */
  const remaining = (timeoutMs: number | undefined, started: number): number | undefined => {
    if (timeoutMs === undefined) return undefined;
    const waited = now() - started;
    return waited < 1 ? timeoutMs : Math.max(1, Math.floor(timeoutMs - waited));
  };

  const isFailure = (error: unknown): boolean => failureCodes.has(ConnectError.from(error).code);

  const finish = (sub: Subchannel, end: (failed: boolean) => void, error: unknown): void => {
    const failed = error !== undefined && isFailure(error);
    end(failed);
    detector?.record(sub.address, !failed);
    // Only a failure below the server says anything about the connection: an UNAVAILABLE status
    // the server sent on purpose ("dependency down") must not take a healthy endpoint out.
    if (error !== undefined && mayBeConnectionLoss(error)) sub.checkConnection();
  };

  const channel: Channel = {
    target: options.target,
    unary<I extends DescMessage, O extends DescMessage>(
      ...[method, signal, givenTimeoutMs, header, input, contextValues]: Parameters<Transport["unary"]>
    ): Promise<UnaryResponse<I, O>> {
      const timeoutMs = deadlineOf(givenTimeoutMs);
      const send = (sub: Subchannel, started: number): Promise<UnaryResponse<I, O>> => {
        const end = sub.beginCall();
        return sub.transport.unary(method, signal, remaining(timeoutMs, started), header, input, contextValues).then(
          (response) => {
            finish(sub, end, undefined);
            return response as unknown as UnaryResponse<I, O>;
          },
          (error: unknown) => {
            const reported = connectionAwareError(error, signal, sub.address);
            finish(sub, end, reported);
            throw reported;
          },
        );
      };
      // Fast path: a ready picker answers synchronously, so no extra promise is spent on picking.
      const routingKey = contextValues?.get(routingKeyContext);
      const ready = closed ? undefined : picker?.pick(routingKey === undefined ? noKey : { routingKey });
      if (ready !== undefined) return send(ready, now());
      const started = now();
      return pick(contextValues, signal, timeoutMs).then((sub) => send(sub, started));
    },
    async stream<I extends DescMessage, O extends DescMessage>(
      ...[method, signal, givenTimeoutMs, header, input, contextValues]: Parameters<Transport["stream"]>
    ): Promise<StreamResponse<I, O>> {
      const timeoutMs = deadlineOf(givenTimeoutMs);
      const started = now();
      const sub = await pick(contextValues, signal, timeoutMs);
      const end = sub.beginCall();
      // The call ends when its messages are read to the end or fail, or when the caller aborts it:
      // Connect's clients cancel a stream through the signal, and the iterator they hand out has no
      // return(), so a caller that stops reading is only seen through the signal.
      let ended = false;
      const endOnce = (failure: unknown): void => {
        if (ended) return;
        ended = true;
        signal?.removeEventListener("abort", onAbort);
        finish(sub, end, failure);
      };
      const onAbort = (): void => endOnce(ConnectError.from(signal?.reason, Code.Canceled));
      signal?.addEventListener("abort", onAbort, { once: true });
      let response: StreamResponse<DescMessage, DescMessage>;
      try {
        response = await sub.transport.stream(method, signal, remaining(timeoutMs, started), header, input, contextValues);
      } catch (error) {
        const reported = connectionAwareError(error, signal, sub.address);
        endOnce(reported);
        throw reported;
      }
      const messages = response.message;
      const tracked = async function* () {
        let failure: unknown;
        try {
          yield* messages;
        } catch (error) {
          failure = connectionAwareError(error, signal, sub.address);
          throw failure;
        } finally {
          endOnce(failure);
        }
      };
      return { ...response, message: tracked() } as unknown as StreamResponse<I, O>;
    },
    stats() {
      const endpoints: EndpointStats[] = [...subchannels.values()].map((sub) => ({
        ...sub.stats(),
        ejected: detector?.isEjected(sub.address) ?? false,
        ejections: detector?.ejectionCount(sub.address) ?? 0,
      }));
      return { target: options.target, policy: policy.name, endpoints };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async waitForReady(timeoutMs = pickTimeoutMs) {
      const started = now();
      while (picker === undefined) {
        if (closed) throw new ConnectError("channel closed", Code.Unavailable);
        const left = timeoutMs - (now() - started);
        if (left <= 0) throw new ConnectError(`timed out waiting for an endpoint: ${describeEndpoints()}`, Code.Unavailable);
        await waiters.wait(left, undefined);
      }
    },
    async close(graceMs = 5000) {
      if (closed) return;
      closed = true;
      if (unejectTimer !== undefined) clearTimeout(unejectTimer);
      resolver.close();
      for (const watch of healthWatches.values()) watch.close();
      healthWatches.clear();
      const all = [...subchannels.values()];
      subchannels.clear();
      picker = undefined;
      waiters.wake();
      const subs = [...all, ...draining];
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceOver = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all(subs.map((s) => s.drain())), graceOver]);
      clearTimeout(timer);
      for (const sub of subs) sub.shutdown();
    },
  };
  return channel;
}

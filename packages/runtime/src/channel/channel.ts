// createChannel: a Connect Transport that balances calls over the endpoints a resolver reports. It
// wires the endpoint set, the dispatcher and the call observers; unary calls pick per attempt,
// streams are pinned, and a call no server processed is sent again to another endpoint.
import { Code, ConnectError, type Transport, type ContextValues } from "@connectrpc/connect";
import type { StreamResponse, UnaryResponse } from "@connectrpc/connect";
import { iterableOf } from "../call/async-iterable.js";
import type { DescMessage, DescMethod } from "@bufbuild/protobuf";
import { routingKeyContext } from "../client/routing-key.js";
import { attemptRoutingContext } from "../client/retry/attempt-context.js";
import { attachAttemptState, createAttemptState, type AttemptStats } from "../client/retry/attempt-state.js";
import { defaultFailureCodes, validateChannelOptions, type ChannelOptions } from "./channel-options.js";
import { PickDecision, type PickArgs, type PickerEnv } from "./picker.js";
import { resolvePickerPolicy } from "./pickers/registry.js";
import { createOutlierDetector, type OutlierDetector } from "./outlier-detector.js";
import { createResolver } from "./resolvers/registry.js";
import { createSubchannel, type Subchannel, type SubchannelStats } from "./subchannel.js";
import { connectionAwareError } from "./connection-errors.js";
import { trackedMessages } from "./tracked-messages.js";
import { deadlineOf } from "../transport/deadline-timer.js";
import { isUnprocessed } from "../transport/unprocessed.js";
import { createEndpointSet } from "./endpoint-set.js";
import { createDispatcher } from "./dispatcher.js";
import type { ChannelEvent } from "./channel-events.js";
import type { CallObserver, ObservedCall } from "./call-observer.js";
import { callOutcome, type ResponseMetadata } from "./call-outcome.js";
import { inFlightObserver } from "./observers/in-flight-observer.js";
import { latencyObserver } from "./observers/latency-observer.js";
import { createOutlierObserver } from "./observers/outlier-observer.js";
import { connectionCheckObserver } from "./observers/connection-check-observer.js";
import { loadReportObserver } from "./observers/load-report-observer.js";
import { createEndpointLimitObserver } from "./observers/endpoint-limit-observer.js";
import { targetHostName } from "./endpoint-dial.js";
import { attachCallCredentials, withCredentials } from "./call-credentials.js";
import { withStreamMessages } from "../transport/lazy-stream-header.js";

export type { ChannelEvent } from "./channel-events.js";

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
  /** Calls sent again to another endpoint because no server had processed them. */
  readonly transparentRetries: number;
  /** Retries and hedges of the clients on this channel, and the retry budget they share. */
  readonly attempts: AttemptStats;
}

/** What {@link Channel.waitForReady} waits for. */
export interface WaitForReadyOptions {
  /** How many endpoints must be ready: a number, or `"all"` the resolver reported (default 1). */
  readonly endpoints?: number | "all";
  /** Give up after this long (default: the channel's `pickTimeoutMs`). */
  readonly timeoutMs?: number;
}

/** A load-balancing Connect transport over a changing set of endpoints. */
export interface Channel extends Transport {
  readonly target: string;
  /** Per-endpoint state, in-flight calls, latency EWMA, calls, failures and ejections. */
  stats(): ChannelStats;
  /** Subscribes to channel events; returns the unsubscribe function. */
  onEvent(listener: (event: ChannelEvent) => void): () => void;
  /**
   * Resolves once enough endpoints are ready to take calls: one by default, or as many as
   * `options.endpoints` says (`"all"`: every endpoint the resolver reported). A number is the
   * timeout in milliseconds. Rejects with UNAVAILABLE naming each endpoint's state on timeout.
   */
  waitForReady(options?: number | WaitForReadyOptions): Promise<void>;
  /**
   * Stops resolving, refuses new calls, lets calls in flight finish for up to `graceMs` (default
   * 5 s; a stream nobody reads would otherwise hold the channel open forever), then closes every
   * session, failing what is still in flight.
   */
  close(graceMs?: number): Promise<void>;
}

const noKey: PickArgs = {};

/** Most times one call is sent again because no server processed it (each time elsewhere when possible). */
const maxTransparentRetries = 3;

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
  const pickTimeoutMs = options.pickTimeoutMs ?? 20_000;
  const listeners = new Set<(event: ChannelEvent) => void>();
  const emit = (event: ChannelEvent): void => {
    for (const listener of listeners) listener(event);
  };
  let closed = false;
  let transparentRetries = 0;
  const attempts = createAttemptState(options.retryBudget, now);

  const detector: OutlierDetector | undefined =
    options.outlierDetection === false ? undefined : createOutlierDetector(options.outlierDetection ?? {}, now);
  const observers: CallObserver<Subchannel>[] = [inFlightObserver, latencyObserver, connectionCheckObserver, loadReportObserver];
  if (options.endpointLimit !== undefined) observers.push(createEndpointLimitObserver(() => dispatcher.wake()));
  if (detector !== undefined) {
    observers.push(createOutlierObserver(detector, new Set(options.failureCodes ?? defaultFailureCodes)));
  }
  const userObservers = [...(options.observers ?? [])] as CallObserver<Subchannel>[];
  const reported = new WeakSet<object>();
  const safely = (observer: CallObserver<Subchannel>, run: () => void): void => {
    try {
      run();
    } catch (error) {
      if (!reported.has(observer)) {
        reported.add(observer);
        console.error("sluice: a call observer threw; the call went on", error);
      }
    }
  };

  const dispatcher = createDispatcher({
    policy,
    env,
    pickTimeoutMs,
    waitForReady: options.waitForReady === true,
    nothingPending: () => endpoints.nothingPending(),
    describe: () => endpoints.describe(),
    exitIdle: () => endpoints.exitIdle(),
    limitQueue: options.endpointLimit?.queue,
  });
  const resolver =
    options.resolver ??
    createResolver(options.target, {
      dnsServer: options.dns?.server,
      refreshIntervalMs: options.dns?.refreshIntervalMs,
      random,
      schemes: { etcd: options.etcd, registry: options.registry },
    });
  const transportOptions = withCredentials(options.transport ?? {}, options.credentials);
  const security = { tls: options.tls, authority: options.authority, targetHost: targetHostName(options.target) };
  const endpoints = createEndpointSet({
    target: options.target,
    resolver,
    detector,
    now,
    emit,
    healthCheckService: options.healthCheck?.service,
    outOfBandIntervalMs: options.loadReports?.outOfBand?.intervalMs,
    onPickable: (pickable) => dispatcher.update(pickable),
    createSubchannel: (endpoint, onChange) =>
      createSubchannel({
        endpoint,
        protocol: options.protocol ?? "grpc",
        transportOptions,
        keepalive: options.keepalive ?? {},
        security,
        backoff: options.backoff ?? {},
        ewmaDecayMs: options.ewmaDecayMs ?? 10_000,
        ewmaSampleWeight: options.ewmaSampleWeight ?? 0.1,
        loadReportWeight: options.loadReports,
        endpointLimit: options.endpointLimit,
        now,
        random,
        onChange,
        onConnectFailure: () => resolver.refresh(),
      }),
  });

  /** Starts observing one attempt on `sub`. */
  const observe = (
    kind: "unary" | "stream",
    method: DescMethod,
    sub: Subchannel,
  ): ObservedCall<Subchannel> & { headersAt: number | undefined; firstMessageAt: number | undefined } => {
    const call = { kind, method, endpoint: sub, startedAt: now(), headersAt: undefined as number | undefined, firstMessageAt: undefined as number | undefined };
    for (const o of observers) o.onCallStart?.(call);
    for (const o of userObservers) if (o.onCallStart !== undefined) safely(o, () => o.onCallStart!(call));
    return call;
  };
  const ended = (call: ObservedCall<Subchannel>, error: unknown, signal: AbortSignal | undefined, response?: ResponseMetadata): void => {
    const outcome = callOutcome(
      error === undefined ? undefined : ConnectError.from(error),
      now(),
      error !== undefined && signal?.aborted === true,
      response,
    );
    for (const o of observers) o.onCallEnd?.(call, outcome);
    for (const o of userObservers) if (o.onCallEnd !== undefined) safely(o, () => o.onCallEnd!(call, outcome));
  };

  /** The caller's timeout less the time spent so far, in whole milliseconds (at least 1). */
  const remaining = (timeoutMs: number | undefined, started: number): number | undefined => {
    if (timeoutMs === undefined) return undefined;
    const waited = now() - started;
    return waited < 1 ? timeoutMs : Math.max(1, Math.floor(timeoutMs - waited));
  };

  const argsFor = (contextValues: ContextValues | undefined, tried: ReadonlySet<string> | undefined): PickArgs => {
    const routingKey = contextValues?.get(routingKeyContext);
    // A retry or hedge avoids the endpoints its call's earlier attempts went to.
    const earlier = contextValues?.get(attemptRoutingContext)?.avoid;
    const avoid = earlier === undefined || earlier.size === 0 ? tried : tried === undefined ? earlier : new Set([...earlier, ...tried]);
    if (avoid === undefined) return routingKey === undefined ? noKey : { routingKey };
    return routingKey === undefined ? { avoid } : { routingKey, avoid };
  };

  /** Whether a failed attempt may be sent again: no server processed it and the deadline is not over. */
  const mayResend = (error: unknown, attempt: number, signal: AbortSignal | undefined, timeoutMs: number | undefined, started: number): boolean =>
    attempt < maxTransparentRetries &&
    !closed &&
    signal?.aborted !== true &&
    isUnprocessed(error) &&
    (timeoutMs === undefined || now() - started < timeoutMs - 1);

  const channel: Channel = {
    target: options.target,
    unary<I extends DescMessage, O extends DescMessage>(
      ...[method, signal, givenTimeoutMs, header, input, contextValues]: Parameters<Transport["unary"]>
    ): Promise<UnaryResponse<I, O>> {
      const timeoutMs = deadlineOf(givenTimeoutMs);
      const started = now();
      let tried: Set<string> | undefined;
      const send = (sub: Subchannel, attempt: number): Promise<UnaryResponse<I, O>> => {
        contextValues?.get(attemptRoutingContext)?.onPicked(sub.address);
        const call = observe("unary", method, sub);
        return sub.transport.unary(method, signal, remaining(timeoutMs, started), header, input, contextValues).then(
          (response) => {
            ended(call, undefined, signal, response);
            return response as unknown as UnaryResponse<I, O>;
          },
          (error: unknown) => {
            const reported = connectionAwareError(error, signal, sub.address, sub.lastConnectError);
            ended(call, reported, signal);
            if (!mayResend(reported, attempt, signal, timeoutMs, started)) throw reported;
            transparentRetries++;
            (tried ??= new Set()).add(sub.address);
            return dispatch(attempt + 1);
          },
        );
      };
      const dispatch = (attempt: number): Promise<UnaryResponse<I, O>> => {
        const args = argsFor(contextValues, tried);
        // A ready picker answers synchronously, so no extra promise is spent on picking.
        const ready = dispatcher.pickNow(args);
        if (ready !== undefined) {
          if (!(ready instanceof PickDecision)) return send(ready, attempt);
          // Every endpoint at its client-side limit: shed here, with no async pick and no stack trace.
          const shed = dispatcher.shedNow(ready);
          if (shed !== undefined) return Promise.reject(shed);
        }
        // No endpoint now, or a decision (fail, or every endpoint at its limit): the dispatcher
        // waits where waiting can help and fails with the decision's code where not.
        return dispatcher.pick(args, signal, remaining(timeoutMs, started)).then((sub) => send(sub, attempt));
      };
      return dispatch(0);
    },
    async stream<I extends DescMessage, O extends DescMessage>(
      ...[method, signal, givenTimeoutMs, header, givenInput, contextValues]: Parameters<Transport["stream"]>
    ): Promise<StreamResponse<I, O>> {
      const timeoutMs = deadlineOf(givenTimeoutMs);
      const started = now();
      // A server-streaming call has one request: keep it, so a call no server processed can be
      // sent again. Other shapes can be sent again only while none of their input was read.
      const single = method.methodKind === "server_streaming" ? await firstOf(givenInput) : undefined;
      const input = single === undefined ? trackReads(givenInput) : undefined;
      let tried: Set<string> | undefined;
      for (let attempt = 0; ; attempt++) {
        const sub = await dispatcher.pick(argsFor(contextValues, tried), signal, remaining(timeoutMs, started));
        contextValues?.get(attemptRoutingContext)?.onPicked(sub.address);
        const call = observe("stream", method, sub);
        // The call ends when its messages are read to the end or fail, or when the caller aborts it
        // (Connect's clients cancel a stream through the signal; Sluice's clients also abort it when
        // the consumer leaves the stream early).
        let over = false;
        let response: StreamResponse<DescMessage, DescMessage> | undefined;
        const endOnce = (failure: unknown): void => {
          if (over) return;
          over = true;
          signal?.removeEventListener("abort", onAbort);
          ended(call, failure, signal, response);
        };
        const onAbort = (): void => endOnce(ConnectError.from(signal?.reason, Code.Canceled));
        signal?.addEventListener("abort", onAbort, { once: true });
        try {
          const messages = single !== undefined ? iterableOf([single.value]) : input!.iterable;
          response = await sub.transport.stream(method, signal, remaining(timeoutMs, started), header, messages, contextValues);
          call.headersAt = now();
        } catch (error) {
          const reported = connectionAwareError(error, signal, sub.address, sub.lastConnectError);
          endOnce(reported);
          if (!(single !== undefined || input?.read === false) || !mayResend(reported, attempt, signal, timeoutMs, started)) throw reported;
          transparentRetries++;
          (tried ??= new Set()).add(sub.address);
          continue;
        }
        const message = trackedMessages(response.message, {
          onFirst: () => (call.firstMessageAt = now()),
          mapError: (error) => connectionAwareError(error, signal, sub.address, sub.lastConnectError),
          onEnd: (failure) => endOnce(failure ?? (signal?.aborted === true ? ConnectError.from(signal.reason, Code.Canceled) : undefined)),
        });
        // Not a spread: that would build the lazily converted header of every call (lazy-stream-header.ts).
        return withStreamMessages(response, message) as unknown as StreamResponse<I, O>;
      }
    },
    stats() {
      const list: EndpointStats[] = [...endpoints.subchannels.values()].map((sub) => ({
        ...sub.stats(),
        ejected: detector?.isEjected(sub.address) ?? false,
        ejections: detector?.ejectionCount(sub.address) ?? 0,
      }));
      return { target: options.target, policy: policy.name, endpoints: list, transparentRetries, attempts: attempts.stats() };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async waitForReady(given) {
      const opts: WaitForReadyOptions = typeof given === "number" ? { timeoutMs: given } : (given ?? {});
      const wanted = opts.endpoints ?? 1;
      if (wanted !== "all" && !(Number.isInteger(wanted) && wanted >= 1)) {
        throw new Error(`waitForReady.endpoints: must be an integer >= 1 or "all", got ${String(wanted)}`);
      }
      const count = (): number => (wanted === "all" ? Math.max(1, endpoints.subchannels.size) : wanted);
      if (closed) throw new ConnectError("channel closed", Code.Unavailable);
      await dispatcher.waitForPickable(count, opts.timeoutMs ?? pickTimeoutMs);
    },
    async close(graceMs = 5000) {
      if (closed) return;
      closed = true;
      const subs = endpoints.close();
      dispatcher.close();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceOver = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all(subs.map((s) => s.drain())), graceOver]);
      clearTimeout(timer);
      for (const sub of subs) sub.shutdown();
    },
  };
  attachAttemptState(channel, attempts);
  attachCallCredentials(channel, options.credentials);
  return channel;
}

/** Reads the one request of a server-streaming call. */
async function firstOf<T>(input: AsyncIterable<T>): Promise<{ value: T }> {
  for await (const value of input) return { value };
  throw new ConnectError("protocol error: missing request message", Code.Internal);
}

/** Wraps `input` to tell whether any of it was read (a call that read none can be sent again). */
function trackReads<T>(input: AsyncIterable<T>): { readonly iterable: AsyncIterable<T>; readonly read: boolean } {
  const tracker = {
    read: false,
    iterable: {
      [Symbol.asyncIterator](): AsyncIterator<T> {
        const it = input[Symbol.asyncIterator]();
        return {
          next: (...args: [] | [unknown]) => {
            tracker.read = true;
            return it.next(...args);
          },
          return: it.return === undefined ? undefined : (value?: unknown) => it.return!(value),
          throw: it.throw === undefined ? undefined : (error?: unknown) => it.throw!(error),
        };
      },
    } as AsyncIterable<T>,
  };
  return tracker;
}

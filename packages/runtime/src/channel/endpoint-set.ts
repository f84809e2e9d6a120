// The endpoint set of a channel: follows the resolver, keeps one subchannel per endpoint with its
// health watch and out-of-band load-report stream, drains endpoints that leave, ejects outliers, and reports the pickable set.
import type { ConnectivityState } from "./connectivity-state.js";
import type { OutlierDetector } from "./outlier-detector.js";
import type { Endpoint, Resolver } from "./resolver.js";
import type { Subchannel } from "./subchannel.js";
import { watchHealth, type HealthWatch } from "./health-watcher.js";
import { watchLoadReports } from "./load-report-stream.js";
import type { StreamWatch } from "./stream-watch.js";
import type { ChannelEvent } from "./channel-events.js";

/** What the endpoint set needs from the channel. @private */
export interface EndpointSetOptions {
  readonly target: string;
  readonly resolver: Resolver;
  /** Creates (but does not connect) the subchannel of a new endpoint. */
  readonly createSubchannel: (endpoint: Endpoint, onChange: (sub: Subchannel) => void) => Subchannel;
  readonly healthCheckService: string | undefined;
  /** Open an out-of-band load-report stream per endpoint, asking for this interval (ms); none when undefined. */
  readonly outOfBandIntervalMs: number | undefined;
  readonly detector: OutlierDetector | undefined;
  readonly now: () => number;
  /** Called with the subchannels a picker may choose (ready, healthy, not draining, not ejected) whenever that set may have changed. */
  readonly onPickable: (pickable: Subchannel[]) => void;
  readonly emit: (event: ChannelEvent) => void;
}

/** The endpoint set. @private */
export interface EndpointSet {
  /** Every current (not draining) subchannel. */
  readonly subchannels: ReadonlyMap<string, Subchannel>;
  /** True once the resolver has reported a list. */
  readonly resolved: boolean;
  /** The resolver's last error, cleared by its next list. */
  readonly lastResolverError: Error | undefined;
  /** The subchannels a picker may choose now. */
  pickable(): Subchannel[];
  /** True when waiting cannot help a fail-fast call: nothing is, or is about to be, connecting. */
  nothingPending(): boolean;
  /** Why no endpoint can take a call, naming each endpoint's state. */
  describe(): string;
  /** Starts connecting every idle endpoint (a call is waiting for one). */
  exitIdle(): void;
  /** Stops resolving and health watching; returns every subchannel, current and draining. */
  close(): Subchannel[];
}

/** Creates the endpoint set and starts the resolver. @private */
export function createEndpointSet(options: EndpointSetOptions): EndpointSet {
  const { detector, emit, now } = options;
  const subchannels = new Map<string, Subchannel>();
  const healthWatches = new Map<string, HealthWatch>();
  const loadWatches = new Map<string, StreamWatch>();
  const draining = new Set<Subchannel>();
  const lastStates = new Map<Subchannel, ConnectivityState>();
  let resolved = false;
  let closed = false;
  let lastResolverError: Error | undefined;
  let unejectTimer: ReturnType<typeof setTimeout> | undefined;

  const pickable = (): Subchannel[] => {
    const ready: Subchannel[] = [];
    for (const sub of subchannels.values()) {
      if (sub.state === "ready" && sub.healthy && !sub.draining && detector?.isEjected(sub.address) !== true) ready.push(sub);
    }
    return ready;
  };
  const changed = (): void => {
    if (!closed) options.onPickable(pickable());
  };

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
    changed();
    scheduleUneject();
  });

  const onSubchannelChange = (sub: Subchannel): void => {
    if (sub.state === "ready" && lastStates.get(sub) !== "ready") {
      // The connection is back: a health watch waiting out its backoff looks again at once.
      healthWatches.get(sub.address)?.restart();
      loadWatches.get(sub.address)?.restart();
    }
    if (sub.state === "shutdown") lastStates.delete(sub);
    else lastStates.set(sub, sub.state);
    if (!sub.draining) emit({ type: "state", address: sub.address, state: sub.state, healthy: sub.healthy });
    changed();
    // An endpoint that lost its connection while others carry the traffic reconnects at once (a
    // server restarting refuses, and the endpoint waits out its backoff in transient failure). A
    // lone endpoint stays idle until a call needs it.
    if (sub.state === "idle" && !sub.draining && !closed && subchannels.get(sub.address) === sub && pickable().length > 0) sub.connect();
  };

  const add = (endpoint: Endpoint): void => {
    const sub = options.createSubchannel(endpoint, onSubchannelChange);
    subchannels.set(endpoint.address, sub);
    if (options.healthCheckService !== undefined) {
      healthWatches.set(endpoint.address, watchHealth(sub.transport, options.healthCheckService, (serving) => sub.setHealthy(serving)));
    }
    if (options.outOfBandIntervalMs !== undefined) {
      sub.setOutOfBand("reconnecting");
      const watch = watchLoadReports(sub.transport, {
        intervalMs: options.outOfBandIntervalMs,
        onReport: (report) => sub.recordLoadReport(report, "out-of-band"),
        onState: (state) => sub.setOutOfBand(state),
      });
      loadWatches.set(endpoint.address, watch);
    }
    sub.connect();
  };

  const remove = (sub: Subchannel): void => {
    subchannels.delete(sub.address);
    healthWatches.get(sub.address)?.close();
    healthWatches.delete(sub.address);
    loadWatches.get(sub.address)?.close();
    loadWatches.delete(sub.address);
    draining.add(sub);
    void sub.drain().then(() => draining.delete(sub));
  };

  options.resolver.start({
    onEndpoints(endpoints) {
      if (closed) return;
      resolved = true;
      lastResolverError = undefined;
      const next = new Map(endpoints.map((e) => [e.address, e]));
      for (const sub of [...subchannels.values()]) {
        const endpoint = next.get(sub.address);
        if (endpoint === undefined || (endpoint.weight ?? 1) !== sub.weight) remove(sub);
      }
      for (const endpoint of endpoints) {
        if (!subchannels.has(endpoint.address)) add(endpoint);
      }
      detector?.setAddresses([...subchannels.keys()]);
      emit({ type: "endpoints", addresses: [...subchannels.keys()] });
      changed();
    },
    onError(error) {
      lastResolverError = error;
      emit({ type: "resolver-error", error });
      changed();
    },
  });

  return {
    subchannels,
    get resolved() {
      return resolved;
    },
    get lastResolverError() {
      return lastResolverError;
    },
    pickable,
    nothingPending() {
      if (!resolved) return lastResolverError !== undefined;
      for (const sub of subchannels.values()) {
        if (sub.state === "connecting" || sub.state === "idle") return false;
      }
      return true;
    },
    describe() {
      if (subchannels.size === 0) {
        return lastResolverError !== undefined
          ? `no endpoints for ${options.target}: ${lastResolverError.message}`
          : `no endpoints for ${options.target}`;
      }
      const parts = [...subchannels.values()].map((s) => {
        const notes: string[] = [s.state];
        if (!s.healthy) notes.push("not serving");
        if (detector?.isEjected(s.address) === true) notes.push("ejected");
        if (s.state === "transient-failure" && s.lastConnectError !== undefined) notes.push(s.lastConnectError.message);
        return `${s.address} ${notes.join(", ")}`;
      });
      return `no ready endpoint for ${options.target} (${parts.join("; ")})`;
    },
    exitIdle() {
      for (const sub of subchannels.values()) if (sub.state === "idle") sub.connect();
    },
    close() {
      closed = true;
      if (unejectTimer !== undefined) clearTimeout(unejectTimer);
      options.resolver.close();
      for (const watch of healthWatches.values()) watch.close();
      healthWatches.clear();
      for (const watch of loadWatches.values()) watch.close();
      loadWatches.clear();
      const all = [...subchannels.values(), ...draining];
      subchannels.clear();
      return all;
    },
  };
}

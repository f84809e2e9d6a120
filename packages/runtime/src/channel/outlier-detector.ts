// Passive outlier ejection: watches call outcomes per endpoint and takes an endpoint out of the
// picker for a while after consecutive failures, a high failure rate, or (when asked) latency far
// above the other endpoints'. Pure, with an injected clock.

/** Ejection by failure rate over a sliding window. */
export interface FailureRateOptions {
  /** Length of the sliding window in milliseconds (default 10 s; counted in tenths of it). */
  readonly windowMs?: number;
  /** Failure share in (0, 1] at or above which the endpoint is ejected (default 0.5). */
  readonly threshold?: number;
  /** Fewest calls in the window before the rate is judged (default 20). */
  readonly minRequests?: number;
}

/**
 * Ejection of an endpoint much slower than the others: it answers, so no failure rule sees it,
 * and latency-aware pickers still send it the calls whose other candidate looks busier.
 */
export interface SlowEndpointOptions {
  /**
   * Eject when the endpoint's median latency is at least this many times the median of the other
   * endpoints' medians (default 4; a finite number > 1).
   */
  readonly ratio?: number;
  /** ...and at least this many milliseconds above it (default 5), so small absolute gaps never eject. */
  readonly minExcessMs?: number;
  /**
   * Successful calls whose median is taken per endpoint: its most recent ones, all within `windowMs` (default
   * 16; an integer from 2 to 1000). An endpoint with fewer is neither judged nor counted in the median.
   */
  readonly samples?: number;
  /** Age in milliseconds past which a sample no longer counts (default 10 s). */
  readonly windowMs?: number;
}

/** Options of {@link createOutlierDetector} (the channel's `outlierDetection` option). */
export interface OutlierDetectorOptions {
  /** Eject after this many failures in a row (default 5; 0 turns this rule off). */
  readonly consecutiveFailures?: number;
  /** Also eject on a high failure rate (off unless given; `{}` turns it on with its defaults). */
  readonly failureRate?: FailureRateOptions;
  /**
   * Also eject an endpoint whose successful calls are far slower than the others' (off unless
   * given; `{}` turns it on with its defaults). All methods' calls are pooled, which assumes the
   * balancer sends every endpoint a similar mix of methods.
   */
  readonly slowEndpoints?: SlowEndpointOptions;
  /** Ejection time of a first ejection in milliseconds; the n-th lasts n times as long (default 30 s). */
  readonly baseEjectionMs?: number;
  /** Cap on one ejection's time in milliseconds (default 300 s). */
  readonly maxEjectionMs?: number;
  /** Most endpoints ejected at once, in percent of known ones (default 50); see {@link createOutlierDetector}. */
  readonly maxEjectionPercent?: number;
}

/** An ejection or a return. */
export interface OutlierEvent {
  readonly type: "eject" | "uneject";
  readonly address: string;
  /** How many times the endpoint has been ejected, counting this one, net of healthy-period decrements. */
  readonly ejectionCount: number;
  /** Why it was ejected (eject events only). */
  readonly reason?: "consecutive-failures" | "failure-rate" | "slow";
  /** When the ejection ends, on the detector's clock (eject events only). */
  readonly untilMs?: number;
}

/** Told of every ejection (`ejected` true) and return (`ejected` false). */
export type OutlierListener = (address: string, ejected: boolean, event: OutlierEvent) => void;

/** Per-endpoint outlier state. */
export interface OutlierDetector {
  /**
   * Records the outcome of one call, with its latency in milliseconds when it succeeded (used by
   * the `slowEndpoints` rule); unknown and currently ejected addresses are ignored.
   */
  record(address: string, ok: boolean, latencyMs?: number): void;
  /** Whether `address` is ejected now (returns due endpoints first). */
  isEjected(address: string): boolean;
  /** Replaces the set of known addresses: new ones start clean, removed ones are forgotten. */
  setAddresses(addresses: Iterable<string>): void;
  /** The addresses ejected now. */
  ejectedAddresses(): string[];
  /** Returns every endpoint whose ejection time has passed (emitting `uneject`). */
  tick(): void;
  /** The earliest time an ejection ends, for a timer that calls {@link tick}; `undefined` if none. */
  nextUnejectAt(): number | undefined;
  /** How many ejections `address` has on record now, net of healthy-period decrements (0 if unknown). */
  ejectionCount(address: string): number;
  /**
   * Calls `listener` on every eject and uneject, after the detector's state is updated (so it may
   * call back into the detector); returns a function that removes it.
   */
  onChange(listener: OutlierListener): () => void;
}

const BUCKETS = 10;

interface Bucket {
  epoch: number;
  ok: number;
  failed: number;
}

/** The most recent successful-call latencies of one endpoint, with their times (a ring). */
interface LatencyRing {
  readonly latencies: Float64Array;
  readonly stamps: Float64Array;
  next: number;
  filled: number;
}

interface EndpointState {
  consecutive: number;
  buckets: Bucket[];
  /** Present when the `slowEndpoints` rule is on. */
  ring: LatencyRing | undefined;
  /** Ejections remembered (before decrements for the healthy time since `healthySince`). */
  ejections: number;
  healthySince: number;
  ejectedUntil: number | undefined;
}

function check(field: string, value: unknown, ok: (v: number) => boolean, accepted: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) {
    throw new Error(`outlierDetection.${field}: must be ${accepted}, got ${String(value)}`);
  }
  return value;
}

const isCount = (min: number) => (v: number) => Number.isInteger(v) && v >= min;

/**
 * Creates an outlier detector. Which call outcomes count as failures is the caller's decision.
 *
 * - An endpoint is ejected after `consecutiveFailures` failures in a row, or, with `failureRate`,
 *   when at least `minRequests` calls in the last `windowMs` failed at a share >= `threshold`.
 *   Its counters start over when it is ejected.
 * - The n-th ejection lasts `min(baseEjectionMs × n, maxEjectionMs)`; after that the endpoint
 *   returns (noticed lazily by any method, or by {@link OutlierDetector.tick}). n goes down by one
 *   for every `baseEjectionMs` spent not ejected, so a relapse soon after a return is ejected for
 *   longer, and an endpoint healthy for long starts over (as Envoy does).
 * - At most `floor(known × maxEjectionPercent / 100)` endpoints are ejected at once, but at least
 *   one when `maxEjectionPercent > 0` and never the last: 3 endpoints at 50 % allow 1, 2 allow 1,
 *   1 allows none. An ejection over the limit is skipped (the next failure tries again).
 *
 * @param options - thresholds and times; each is validated.
 * @param now - monotonic clock in milliseconds (default `performance.now`).
 * @throws Error naming the field (`outlierDetection.baseEjectionMs`, …) and its accepted range.
 * @example
 * const detector = createOutlierDetector({ consecutiveFailures: 3 });
 * detector.setAddresses(["10.0.0.1:80", "10.0.0.2:80"]);
 * detector.onChange(() => rebuildPicker());
 */
export function createOutlierDetector(
  options: OutlierDetectorOptions = {},
  now: () => number = () => performance.now(),
): OutlierDetector {
  const consecutiveFailures = check("consecutiveFailures", options.consecutiveFailures ?? 5, isCount(0), "an integer >= 0 (0 turns it off)");
  const rate = options.failureRate;
  const windowMs = check("failureRate.windowMs", rate?.windowMs ?? 10_000, (v) => v > 0, "a finite number > 0 (milliseconds)");
  const threshold = check("failureRate.threshold", rate?.threshold ?? 0.5, (v) => v > 0 && v <= 1, "a number in (0, 1]");
  const minRequests = check("failureRate.minRequests", rate?.minRequests ?? 20, isCount(1), "an integer >= 1");
  const baseEjectionMs = check("baseEjectionMs", options.baseEjectionMs ?? 30_000, (v) => v > 0, "a finite number > 0 (milliseconds)");
  const maxEjectionMs = check(
    "maxEjectionMs",
    options.maxEjectionMs ?? 300_000,
    (v) => v >= baseEjectionMs,
    `a finite number >= outlierDetection.baseEjectionMs (${baseEjectionMs})`,
  );
  const maxEjectionPercent = check("maxEjectionPercent", options.maxEjectionPercent ?? 50, (v) => v >= 0 && v <= 100, "a number from 0 to 100");
  const bucketMs = windowMs / BUCKETS;
  const slow = options.slowEndpoints;
  const slowRatio = check("slowEndpoints.ratio", slow?.ratio ?? 4, (v) => v > 1, "a finite number > 1");
  const slowExcessMs = check("slowEndpoints.minExcessMs", slow?.minExcessMs ?? 5, (v) => v >= 0, "a finite number >= 0 (milliseconds)");
  const slowSamples = check("slowEndpoints.samples", slow?.samples ?? 16, (v) => isCount(2)(v) && v <= 1000, "an integer from 2 to 1000");
  const slowWindowMs = check("slowEndpoints.windowMs", slow?.windowMs ?? 10_000, (v) => v > 0, "a finite number > 0 (milliseconds)");
  /** The fastest judged endpoint's median when a slow check last looked, and when (trusted for a tenth of the window). */
  let fastestMedianMs = 0;
  let fastestMedianAt = -Infinity;

  const endpoints = new Map<string, EndpointState>();
  const listeners = new Set<OutlierListener>();
  let ejectedCount = 0;

  const emit = (events: OutlierEvent[]): void => {
    for (const event of events) for (const listener of [...listeners]) listener(event.address, event.type === "eject", event);
  };

  const freshState = (t: number): EndpointState => ({
    consecutive: 0,
    buckets: Array.from({ length: BUCKETS }, () => ({ epoch: -Infinity, ok: 0, failed: 0 })),
    ring: slow === undefined ? undefined : { latencies: new Float64Array(slowSamples), stamps: new Float64Array(slowSamples), next: 0, filled: 0 },
    ejections: 0,
    healthySince: t,
    ejectedUntil: undefined,
  });

  const clearCounters = (state: EndpointState): void => {
    state.consecutive = 0;
    for (const bucket of state.buckets) bucket.epoch = -Infinity;
    if (state.ring !== undefined) state.ring.filled = 0;
  };

  const pushLatency = (ring: LatencyRing, latencyMs: number, t: number): void => {
    ring.latencies[ring.next] = Math.max(0, latencyMs);
    ring.stamps[ring.next] = t;
    ring.next = (ring.next + 1) % slowSamples;
    if (ring.filled < slowSamples) ring.filled++;
  };

  const scratch = new Float64Array(slowSamples);
  /**
   * Median of a full ring whose oldest sample is still inside the window, else undefined. The
   * median, not the mean: one cold call (a first call's connection set-up, a GC pause) does not
   * make an endpoint look slow, nor hide a slow one among the baseline.
   */
  const recentMedian = (ring: LatencyRing | undefined, t: number): number | undefined => {
    if (ring === undefined || ring.filled < slowSamples || ring.stamps[ring.next]! < t - slowWindowMs) return undefined;
    scratch.set(ring.latencies);
    scratch.sort();
    const mid = slowSamples >> 1;
    return slowSamples % 2 === 1 ? scratch[mid]! : (scratch[mid - 1]! + scratch[mid]!) / 2;
  };

  /** Whether `address` is slow next to the median of the other judged, non-ejected endpoints' medians. */
  const slowExceeded = (address: string, state: EndpointState, t: number): boolean => {
    const mine = recentMedian(state.ring, t);
    if (mine === undefined) return false;
    const others: number[] = [];
    for (const [other, otherState] of endpoints) {
      if (other === address || otherState.ejectedUntil !== undefined) continue;
      const median = recentMedian(otherState.ring, t);
      if (median !== undefined) others.push(median);
    }
    if (others.length === 0) return false;
    others.sort((a, b) => a - b);
    const mid = others.length >> 1;
    const baseline = others.length % 2 === 1 ? others[mid]! : (others[mid - 1]! + others[mid]!) / 2;
    // The pre-check's floor: the fastest judged endpoint, which no endpoint's baseline is below.
    fastestMedianMs = Math.min(mine, others[0]!);
    fastestMedianAt = t;
    return mine >= baseline * slowRatio && mine - baseline >= slowExcessMs;
  };

  /**
   * Whether a successful call's latency is worth a look at its endpoint: a cheap pre-check that
   * spares the medians on most calls. Only a sample of at least `ratio` times the fastest
   * endpoint's median passes (any endpoint's baseline is at least that); the last such median is
   * trusted for a tenth of the window.
   */
  const maySlow = (latencyMs: number | undefined, t: number): latencyMs is number =>
    latencyMs !== undefined &&
    latencyMs >= slowExcessMs &&
    (t - fastestMedianAt > slowWindowMs / BUCKETS || latencyMs >= fastestMedianMs * slowRatio);

  const effectiveEjections = (state: EndpointState, t: number): number =>
    Math.max(0, state.ejections - Math.floor(Math.max(0, t - state.healthySince) / baseEjectionMs));

  /** Returns endpoints whose time is up; collects the events to emit once state is consistent. */
  const sweep = (t: number, events: OutlierEvent[]): void => {
    for (const [address, state] of endpoints) {
      if (state.ejectedUntil !== undefined && state.ejectedUntil <= t) {
        state.healthySince = state.ejectedUntil;
        state.ejectedUntil = undefined;
        ejectedCount--;
        events.push({ type: "uneject", address, ejectionCount: state.ejections });
      }
    }
  };

  const ejectionLimit = (): number => {
    const known = endpoints.size;
    if (maxEjectionPercent === 0 || known <= 1) return 0;
    return Math.min(known - 1, Math.max(1, Math.floor((known * maxEjectionPercent) / 100)));
  };

  const failureRateExceeded = (state: EndpointState, t: number): boolean => {
    if (rate === undefined) return false;
    const epoch = Math.floor(t / bucketMs);
    let ok = 0;
    let failed = 0;
    for (const bucket of state.buckets) {
      if (bucket.epoch > epoch - BUCKETS) {
        ok += bucket.ok;
        failed += bucket.failed;
      }
    }
    const total = ok + failed;
    return total >= minRequests && failed / total >= threshold;
  };

  const withSweep = <T>(body: (t: number, events: OutlierEvent[]) => T): T => {
    const t = now();
    const events: OutlierEvent[] = [];
    sweep(t, events);
    const result = body(t, events);
    emit(events);
    return result;
  };

  /** The bucket of time `t` in `state`, emptied first when it last counted an older period. */
  const bucketAt = (state: EndpointState, t: number): Bucket => {
    const epoch = Math.floor(t / bucketMs);
    const bucket = state.buckets[((epoch % BUCKETS) + BUCKETS) % BUCKETS]!;
    if (bucket.epoch !== epoch) {
      bucket.epoch = epoch;
      bucket.ok = 0;
      bucket.failed = 0;
    }
    return bucket;
  };

  const eject = (address: string, state: EndpointState, t: number, reason: NonNullable<OutlierEvent["reason"]>, events: OutlierEvent[]): void => {
    const ejectionCount = effectiveEjections(state, t) + 1;
    state.ejections = ejectionCount;
    state.ejectedUntil = t + Math.min(baseEjectionMs * ejectionCount, maxEjectionMs);
    ejectedCount++;
    clearCounters(state);
    events.push({ type: "eject", address, ejectionCount, reason, untilMs: state.ejectedUntil });
  };

  return {
    record(address, ok, latencyMs) {
      const t = now();
      if (ok && ejectedCount === 0 && (slow === undefined || !maySlow(latencyMs, t))) {
        // The common case, on every successful call: with nothing ejected there is nothing to
        // sweep, and a success ejects nobody (unless it is slow enough to look at).
        const state = endpoints.get(address);
        if (state === undefined) return;
        bucketAt(state, t).ok++;
        state.consecutive = 0;
        if (state.ring !== undefined && latencyMs !== undefined) pushLatency(state.ring, latencyMs, t);
        return;
      }
      withSweep((t, events) => {
        const state = endpoints.get(address);
        if (state === undefined || state.ejectedUntil !== undefined) return;
        const bucket = bucketAt(state, t);
        if (ok) {
          bucket.ok++;
          state.consecutive = 0;
          if (state.ring === undefined || latencyMs === undefined) return;
          pushLatency(state.ring, latencyMs, t);
          if (maySlow(latencyMs, t) && ejectedCount < ejectionLimit() && slowExceeded(address, state, t)) eject(address, state, t, "slow", events);
          return;
        }
        bucket.failed++;
        state.consecutive++;
        const reason =
          consecutiveFailures > 0 && state.consecutive >= consecutiveFailures
            ? "consecutive-failures"
            : failureRateExceeded(state, t)
              ? "failure-rate"
              : undefined;
        if (reason === undefined || ejectedCount >= ejectionLimit()) return;
        eject(address, state, t, reason, events);
      });
    },
    isEjected(address) {
      return withSweep(() => endpoints.get(address)?.ejectedUntil !== undefined);
    },
    setAddresses(addresses) {
      withSweep((t) => {
        const keep = new Set(addresses);
        for (const [address, state] of endpoints) {
          if (!keep.has(address)) {
            if (state.ejectedUntil !== undefined) ejectedCount--;
            endpoints.delete(address);
          }
        }
        for (const address of keep) if (!endpoints.has(address)) endpoints.set(address, freshState(t));
      });
    },
    ejectedAddresses() {
      return withSweep(() => [...endpoints].filter(([, s]) => s.ejectedUntil !== undefined).map(([a]) => a));
    },
    tick() {
      withSweep(() => undefined);
    },
    nextUnejectAt() {
      let next: number | undefined;
      for (const state of endpoints.values()) {
        if (state.ejectedUntil !== undefined && (next === undefined || state.ejectedUntil < next)) {
          next = state.ejectedUntil;
        }
      }
      return next;
    },
    ejectionCount(address) {
      return withSweep((t) => {
        const state = endpoints.get(address);
        if (state === undefined) return 0;
        return state.ejectedUntil !== undefined ? state.ejections : effectiveEjections(state, t);
      });
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

// Passive outlier ejection: watches call outcomes per endpoint and takes an endpoint out of the
// picker for a while after consecutive failures or a high failure rate. Pure, with an injected clock.

/** Ejection by failure rate over a sliding window. */
export interface FailureRateOptions {
  /** Length of the sliding window in milliseconds (default 10 s; counted in tenths of it). */
  readonly windowMs?: number;
  /** Failure share in (0, 1] at or above which the endpoint is ejected (default 0.5). */
  readonly threshold?: number;
  /** Fewest calls in the window before the rate is judged (default 20). */
  readonly minRequests?: number;
}

/** Options of {@link createOutlierDetector} (the channel's `outlierDetection` option). */
export interface OutlierDetectorOptions {
  /** Eject after this many failures in a row (default 5; 0 turns this rule off). */
  readonly consecutiveFailures?: number;
  /** Also eject on a high failure rate (off unless given; `{}` turns it on with its defaults). */
  readonly failureRate?: FailureRateOptions;
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
  readonly reason?: "consecutive-failures" | "failure-rate";
  /** When the ejection ends, on the detector's clock (eject events only). */
  readonly untilMs?: number;
}

/** Told of every ejection (`ejected` true) and return (`ejected` false). */
export type OutlierListener = (address: string, ejected: boolean, event: OutlierEvent) => void;

/** Per-endpoint outlier state. */
export interface OutlierDetector {
  /** Records the outcome of one call; unknown and currently ejected addresses are ignored. */
  record(address: string, ok: boolean): void;
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

interface EndpointState {
  consecutive: number;
  buckets: Bucket[];
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

  const endpoints = new Map<string, EndpointState>();
  const listeners = new Set<OutlierListener>();
  let ejectedCount = 0;

  const emit = (events: OutlierEvent[]): void => {
    for (const event of events) for (const listener of [...listeners]) listener(event.address, event.type === "eject", event);
  };

  const freshState = (t: number): EndpointState => ({
    consecutive: 0,
    buckets: Array.from({ length: BUCKETS }, () => ({ epoch: -Infinity, ok: 0, failed: 0 })),
    ejections: 0,
    healthySince: t,
    ejectedUntil: undefined,
  });

  const clearCounters = (state: EndpointState): void => {
    state.consecutive = 0;
    for (const bucket of state.buckets) bucket.epoch = -Infinity;
  };

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

  return {
    record(address, ok) {
      if (ok && ejectedCount === 0) {
        // The common case, on every successful call: with nothing ejected there is nothing to
        // sweep, and a success ejects nobody.
        const state = endpoints.get(address);
        if (state === undefined) return;
        bucketAt(state, now()).ok++;
        state.consecutive = 0;
        return;
      }
      withSweep((t, events) => {
        const state = endpoints.get(address);
        if (state === undefined || state.ejectedUntil !== undefined) return;
        const bucket = bucketAt(state, t);
        if (ok) {
          bucket.ok++;
          state.consecutive = 0;
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
        const ejectionCount = effectiveEjections(state, t) + 1;
        state.ejections = ejectionCount;
        state.ejectedUntil = t + Math.min(baseEjectionMs * ejectionCount, maxEjectionMs);
        ejectedCount++;
        clearCounters(state);
        events.push({ type: "eject", address, ejectionCount, reason, untilMs: state.ejectedUntil });
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

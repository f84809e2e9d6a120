// The concurrency limiter: admits a call while fewer than the algorithm's limit are in flight
// (per-partition guarantees aside), hands out a token the caller completes with the outcome, and
// optionally parks callers in a bounded wait queue.
import type { LimitAlgorithm } from "./limit-algorithm.js";
import { createPartitions, partitionAdmits, partitionLimit, unknownPartition, type Partition, type PartitionShares } from "./partitions.js";
import { createWaitQueue, type Schedule, type WaitQueue, type WaitQueueOptions } from "./wait-queue.js";

/** A slot held by an admitted call; complete it exactly once (later calls are ignored). */
export interface Token {
  /** The call succeeded; `rttMs` defaults to the time since it was admitted. Feeds the algorithm. */
  success(rttMs?: number): void;
  /** The call was dropped (timed out or shed downstream): the algorithm backs off. */
  dropped(rttMs?: number): void;
  /** Frees the slot without a sample (cancelled calls, streams whose length is not latency). */
  ignore(): void;
}

/** A limiter's counters. */
export interface LimiterStats {
  /** The algorithm's name. */
  readonly algorithm: string;
  /** The current limit. */
  readonly limit: number;
  /** Calls holding a token now. */
  readonly inFlight: number;
  /** Callers waiting in the queue now. */
  readonly queued: number;
  /** Calls refused since creation (at once, or after waiting). */
  readonly shed: number;
  /** Calls admitted since creation. */
  readonly admitted: number;
  /** Per partition: its guaranteed limit now and its calls in flight (only with partitions). */
  readonly partitions?: Readonly<Record<string, { readonly limit: number; readonly inFlight: number }>>;
}

/** A concurrency limiter over contexts of type `C`. */
export interface Limiter<C = unknown> {
  /** Admits the call now, or returns undefined (and counts it shed). */
  tryAcquire(context: C): Token | undefined;
  /**
   * Admits the call now, or waits in the bounded queue (when configured) until a slot frees,
   * the queue timeout passes or `signal` aborts; resolves undefined when refused.
   */
  acquire(context: C, signal?: AbortSignal): Promise<Token | undefined>;
  /** The current limit. */
  readonly limit: number;
  /** Calls holding a token now. */
  readonly inFlight: number;
  /** The counters. */
  stats(): LimiterStats;
}

/** Options of {@link createLimiter}. */
export interface LimiterOptions<C> {
  /** Sets the limit and learns from samples. */
  readonly algorithm: LimitAlgorithm;
  /** Guaranteed shares of the limit, and how a context names its partition. */
  readonly partitions?: {
    readonly shares: PartitionShares;
    readonly partitionOf: (context: C) => string | undefined;
  };
  /** A bounded wait queue for {@link Limiter.acquire}; without it acquire never waits. */
  readonly queue?: WaitQueueOptions;
  /** Monotonic clock in milliseconds (measures RTTs). */
  readonly now: () => number;
  /** Timer for queue timeouts (default: an unref'd setTimeout). */
  readonly schedule?: Schedule;
}

/**
 * Creates a limiter. A call is admitted while `inFlight < limit`; with partitions, once the total
 * is at the limit a call is still admitted while its partition is under its guaranteed share
 * (`max(1, ceil(limit × share))`). Each freed slot goes to a queued caller first (newest first by
 * default).
 * @throws Error naming the field when the queue or partition options are out of range.
 * @example
 * const limiter = createLimiter({ algorithm: createAimdLimit(), now: () => performance.now() });
 * const token = limiter.tryAcquire(undefined);
 * if (token === undefined) reject(); else run().then(() => token.success(), () => token.ignore());
 */
export function createLimiter<C>(options: LimiterOptions<C>): Limiter<C> {
  const { algorithm, now } = options;
  const partitions = options.partitions !== undefined ? createPartitions(options.partitions.shares) : undefined;
  const partitionOf = options.partitions?.partitionOf;
  const queue: WaitQueue<C, Token> | undefined = options.queue !== undefined ? createWaitQueue(options.queue, options.schedule) : undefined;
  let inFlight = 0;
  let shed = 0;
  let admitted = 0;

  const partitionFor = (context: C): Partition | undefined => {
    if (partitions === undefined) return undefined;
    const name = partitionOf?.(context);
    return (name !== undefined ? partitions.get(name) : undefined) ?? (partitions.get(unknownPartition) as Partition);
  };

  const release = (): void => {
    if (queue !== undefined && queue.length > 0) queue.offer(admit);
  };

  const issue = (partition: Partition | undefined): Token => {
    inFlight++;
    admitted++;
    if (partition !== undefined) partition.inFlight++;
    const startMs = now();
    const seen = inFlight;
    let done = false;
    const finish = (sample: boolean, dropped: boolean, rttMs: number | undefined): void => {
      if (done) return;
      done = true;
      inFlight--;
      if (partition !== undefined) partition.inFlight--;
      if (sample) {
        const rtt = rttMs ?? now() - startMs;
        algorithm.onSample({ startMs, rttMs: rtt > 0 ? rtt : 1e-3, inFlight: seen, dropped });
      }
      release();
    };
    return {
      success: (rttMs) => finish(true, false, rttMs),
      dropped: (rttMs) => finish(true, true, rttMs),
      ignore: () => finish(false, false, undefined),
    };
  };

  /** Issues a token if the call may start now (no counting of refusals). */
  const admit = (context: C): Token | undefined => {
    const limit = algorithm.limit;
    const partition = partitionFor(context);
    const ok = partition === undefined ? inFlight < limit : partitionAdmits(partition, inFlight, limit);
    return ok ? issue(partition) : undefined;
  };

  return {
    tryAcquire(context) {
      const token = admit(context);
      if (token === undefined) shed++;
      return token;
    },
    async acquire(context, signal) {
      // Queued callers go first (the limit may have grown since they queued): a newcomer may not
      // overtake them while any waits.
      if (queue !== undefined && queue.length > 0) queue.offer(admit);
      const token = queue === undefined || queue.length === 0 ? admit(context) : undefined;
      if (token !== undefined) return token;
      const waited = queue === undefined ? undefined : await queue.wait(context, signal);
      if (waited === undefined) shed++;
      return waited;
    },
    get limit() {
      return algorithm.limit;
    },
    get inFlight() {
      return inFlight;
    },
    stats() {
      const limit = algorithm.limit;
      const base = { algorithm: algorithm.name, limit, inFlight, queued: queue?.length ?? 0, shed, admitted };
      if (partitions === undefined) return base;
      const byName: Record<string, { limit: number; inFlight: number }> = {};
      for (const p of partitions.values()) byName[p.name] = { limit: partitionLimit(p, limit), inFlight: p.inFlight };
      return { ...base, partitions: byName };
    },
  };
}

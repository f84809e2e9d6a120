// What the retry and hedge layers share per channel: the retry budget every client on the channel
// spends from, the bytes buffered for replay, each method's latency for adaptive hedging, and stats.
import type { Transport } from "@connectrpc/connect";
import { createRetryBudget, type RetryBudget, type RetryBudgetConfig, type RetryBudgetStats } from "./retry-budget.js";
import { createHedgingDelayEstimator, type HedgingDelayEstimator, type HedgingDelayOptions } from "./hedging-delay.js";

/** Bound on one call's buffered request messages kept for replay (grpc-js's default). */
export const perCallReplayBytes = 1024 * 1024;
/** Bound on the request bytes buffered for replay by all calls of one channel (grpc-js's default). */
export const perChannelReplayBytes = 16 * 1024 * 1024;

/** Retries and hedges of one channel (or transport) since it was created. */
export interface AttemptStats {
  /** Calls that had a retry or hedge policy (each counts once, however many attempts). */
  readonly calls: number;
  /** Retry attempts sent (not counting first attempts). */
  readonly retries: number;
  /** Hedged attempts sent (not counting first attempts). */
  readonly hedges: number;
  /** Calls that returned their error because the budget refused a retry or hedge. */
  readonly budgetExhausted: number;
  /** Calls not retried because the server's pushback said stop. */
  readonly pushbackStops: number;
  /** Calls not retried because their buffered requests passed the replay bound. */
  readonly replayOverflows: number;
  /** Hedged attempts cancelled because another attempt won. */
  readonly hedgesCancelled: number;
  /** The shared retry budget. */
  readonly budget: RetryBudgetStats;
}

/** Mutable counters of {@link AttemptStats} (minus the budget). @private */
export type AttemptCounters = { -readonly [K in Exclude<keyof AttemptStats, "budget">]: number };

/** One channel's shared retry and hedge state. @private */
export interface AttemptState {
  readonly budget: RetryBudget;
  readonly counters: AttemptCounters;
  readonly now: () => number;
  /** Request bytes buffered for replay by all calls now. */
  replayBytes: number;
  /**
   * The latency estimator of `methodKey` for adaptive hedging, created on first use from `options`
   * with `fallbackMs` (the policy's fixed delay) until it has samples.
   */
  estimator(methodKey: string, options: Omit<HedgingDelayOptions, "fallbackMs">, fallbackMs: number): HedgingDelayEstimator;
  stats(): AttemptStats;
}

/** Creates the shared state of one channel; throws naming `retryBudget.<field>` on a bad budget. @private */
export function createAttemptState(config: RetryBudgetConfig | undefined, now: () => number = () => performance.now()): AttemptState {
  const budget = createRetryBudget(config ?? { type: "windowed" }, now);
  const counters: AttemptCounters = { calls: 0, retries: 0, hedges: 0, budgetExhausted: 0, pushbackStops: 0, replayOverflows: 0, hedgesCancelled: 0 };
  const estimators = new Map<string, HedgingDelayEstimator>();
  return {
    budget,
    counters,
    now,
    replayBytes: 0,
    estimator(methodKey, options, fallbackMs) {
      let estimator = estimators.get(methodKey);
      if (estimator === undefined) {
        estimator = createHedgingDelayEstimator({ ...options, fallbackMs }, now);
        estimators.set(methodKey, estimator);
      }
      return estimator;
    },
    stats() {
      return { ...counters, budget: budget.stats() };
    },
  };
}

const states = new WeakMap<object, AttemptState>();

/** Makes `state` the one the retry and hedge layers use for calls over `transport`. @private */
export function attachAttemptState(transport: Transport, state: AttemptState): void {
  states.set(transport, state);
}

/**
 * The retry and hedge state shared by every client over `transport`: the channel's own (with the
 * budget its `retryBudget` option configures), or one made on first use with the default budget
 * for another kind of transport.
 */
export function attemptStateOf(transport: Transport): AttemptState {
  let state = states.get(transport);
  if (state === undefined) {
    state = createAttemptState(undefined);
    states.set(transport, state);
  }
  return state;
}

// Configuration of an event fan-out hub and of its subscribers, with defaults and validation.

/**
 * What a hub does with a subscriber whose queue is full when an event arrives: `"drop-oldest"`
 * discards its oldest queued event (the subscriber sees a gap in sequence numbers); `"end"` ends
 * that subscriber's stream with RESOURCE_EXHAUSTED once it has read what is queued.
 */
export type SlowConsumerPolicy = "drop-oldest" | "end";

/** The accepted values of {@link SlowConsumerPolicy}. */
export const slowConsumerPolicies: readonly SlowConsumerPolicy[] = ["drop-oldest", "end"];

/** Per-subscriber bounds; the hub's options give the defaults. */
export interface SubscriberLimits {
  /** Events a subscriber may have queued and unread (default 1024; a positive integer). */
  readonly queueSize?: number;
  /** What happens when that queue is full (default `"end"`). */
  readonly slowConsumer?: SlowConsumerPolicy;
}

/** Options of {@link createHub}. */
export interface HubOptions extends SubscriberLimits {
  /**
   * Recent events kept for subscribers that resume from a sequence number (default 0: no replay;
   * a non-negative integer). Memory is bounded by this plus every subscriber's queue.
   */
  readonly replaySize?: number;
  /** The clock stamping each event's `at` (ms; default `Date.now`). */
  readonly now?: () => number;
}

/** Limits with defaults filled in. @private */
export interface ResolvedLimits {
  readonly queueSize: number;
  readonly slowConsumer: SlowConsumerPolicy;
}

/** Fills in and validates subscriber limits; errors name `field` and the accepted values. @private */
export function resolveLimits(limits: SubscriberLimits | undefined, defaults: ResolvedLimits, field: string): ResolvedLimits {
  const queueSize = limits?.queueSize ?? defaults.queueSize;
  const slowConsumer = limits?.slowConsumer ?? defaults.slowConsumer;
  if (!Number.isSafeInteger(queueSize) || queueSize < 1) {
    throw new Error(`${field}queueSize: must be a positive integer, got ${String(queueSize)}`);
  }
  if (!slowConsumerPolicies.includes(slowConsumer)) {
    throw new Error(`${field}slowConsumer: must be one of ${slowConsumerPolicies.map((p) => `"${p}"`).join(", ")}, got ${JSON.stringify(slowConsumer)}`);
  }
  return { queueSize, slowConsumer };
}

/** Validates `replaySize`. @private */
export function resolveReplaySize(replaySize: number | undefined): number {
  const size = replaySize ?? 0;
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new Error(`replaySize: must be a non-negative integer, got ${String(size)}`);
  }
  return size;
}

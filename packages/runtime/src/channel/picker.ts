// The picker contract: a pure function of the ready subchannels that chooses one per call attempt.
// Pickers are rebuilt whenever the ready set changes; they read live load from their candidates.
import { Code } from "@connectrpc/connect";

/** What a picker sees of one ready, non-ejected subchannel. */
export interface PickCandidate {
  /** Stable identity of the endpoint (`host:port`); ring-hash hashes it. */
  readonly address: string;
  /** Relative weight from the resolver's endpoint metadata (> 0; 1 when not given). */
  readonly weight: number;
  /** Calls in flight on this subchannel right now. */
  readonly inFlight: number;
  /**
   * Peak-sensitive EWMA of call latency in milliseconds at time `nowMs`, or `undefined` while the
   * subchannel has no sample yet.
   */
  latencyEstimate(nowMs: number): number | undefined;
  /**
   * Recent share of calls the endpoint failed (time-decayed, in [0, 1]) at time `nowMs`; load-aware
   * pickers divide an endpoint's cost by `1 − rate`, so an endpoint that fails fast does not look
   * idle. Optional: a candidate without it counts as never failing.
   */
  failureRate?(nowMs: number): number;
  /**
   * The endpoint's weight from its servers' load reports (gRFC A58: qps ÷ (utilization + eps/qps ×
   * penalty)) at `nowMs`, or 0 while it has none (no report, blackout, expired). Optional.
   */
  loadWeight?(nowMs: number): number;
  /**
   * EWMA of the handler latency the endpoint's server reports, ms, or `undefined` before a report.
   * Free of client-side stalls, unlike `latencyEstimate`. Optional.
   */
  reportedLatency?(nowMs: number): number | undefined;
  /** True while the endpoint's client-side concurrency limit is reached (the dispatcher then skips it). Optional. */
  readonly atLimit?: boolean;
}

/** Per-call input to a pick. */
export interface PickArgs {
  /** Affinity key (from the method's routing key or given per call); used by ring-hash. */
  readonly routingKey?: string;
  /**
   * Addresses this call should not go to if another ready endpoint can take it (a retry or hedge
   * moving away from the endpoint that failed, or a transparent retry of a call a dying connection
   * refused). Pickers may ignore it: the dispatcher then picks again, and finally picks among the
   * ready endpoints not avoided itself.
   */
  readonly avoid?: ReadonlySet<string>;
}

/**
 * What a picker may answer besides a candidate: `queue` (wait for the next change of the ready set,
 * within the call's deadline) or `fail` (fail the call now with `code`). Create them with
 * {@link pickQueue} and {@link pickFail}.
 */
export class PickDecision {
  private constructor(
    /** `"queue"` or `"fail"`. */
    readonly type: "queue" | "fail",
    /** The code a failed pick fails the call with. */
    readonly code: Code,
    /** Why, for the caller's error message. */
    readonly message: string,
  ) {}

  /** @private */
  static create(type: "queue" | "fail", code: Code, message: string): PickDecision {
    return new PickDecision(type, code, message);
  }
}

/** The answer that makes a call wait for the next change of the ready set (within its deadline). */
export const pickQueue: PickDecision = PickDecision.create("queue", Code.Unavailable, "queued");

/** The answer that fails a call at once with `code` and `message`. */
export function pickFail(code: Code, message: string): PickDecision {
  return PickDecision.create("fail", code, message);
}

/** A pick's outcome: a candidate, a {@link PickDecision}, or `undefined` (same as queue). */
export type PickResult<C> = C | PickDecision | undefined;

/**
 * Chooses a candidate for one call attempt, or answers {@link pickQueue} / {@link pickFail};
 * `undefined` (no candidates) counts as queue.
 */
export interface Picker<C extends PickCandidate = PickCandidate> {
  pick(args: PickArgs): PickResult<C>;
}

/** Injected clock and randomness, so pickers are deterministic under test. */
export interface PickerEnv {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Uniform in [0, 1). */
  random(): number;
}

/** A named balancing policy: builds a picker over the current ready set. */
export interface PickerPolicy {
  readonly name: string;
  build<C extends PickCandidate>(ready: readonly C[], env: PickerEnv): Picker<C>;
}

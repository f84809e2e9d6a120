// The picker contract: a pure function of the ready subchannels that chooses one per call attempt.
// Pickers are rebuilt whenever the ready set changes; they read live load from their candidates.

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
}

/** Per-call input to a pick. */
export interface PickArgs {
  /** Affinity key (from the method's routing key or given per call); used by ring-hash. */
  readonly routingKey?: string;
}

/** Chooses a candidate for one call attempt; `undefined` only when it has no candidates. */
export interface Picker<C extends PickCandidate = PickCandidate> {
  pick(args: PickArgs): C | undefined;
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

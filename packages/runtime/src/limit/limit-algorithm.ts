// The contract every concurrency-limit algorithm meets: it owns a current limit and moves it from
// the samples of calls that ended (their round-trip time, in-flight count and whether they dropped).

/** One finished call, as a limit algorithm sees it. */
export interface LimitSample {
  /** When the call was admitted (ms, on the limiter's clock). */
  readonly startMs: number;
  /** How long the call took (ms); > 0. */
  readonly rttMs: number;
  /** Calls in flight when this one was admitted, itself included. */
  readonly inFlight: number;
  /** Whether the call was dropped (timed out, or shed further down): a congestion signal. */
  readonly dropped: boolean;
}

/** A concurrency-limit algorithm: the current limit, moved by samples. */
export interface LimitAlgorithm {
  /** The algorithm's name, as in options and stats (`"aimd"`, `"vegas"`, …). */
  readonly name: string;
  /** The current limit: how many calls may be in flight at once (an integer >= 1). */
  readonly limit: number;
  /** Feeds one finished call. */
  onSample(sample: LimitSample): void;
}

// Delays between retry attempts (gRFC A6): exponential from the policy's initial backoff, capped,
// jittered ±20 % (as grpc-go does) or fully; a server pushback restarts the sequence.

/** Options of {@link createRetryBackoff}; the first three come from a `RetryPolicy`. */
export interface RetryBackoffOptions {
  /** Base delay before the first retry, in milliseconds (> 0). */
  readonly initialBackoffMs: number;
  /** Cap on the base delay, in milliseconds (>= `initialBackoffMs`). */
  readonly maxBackoffMs: number;
  /** Growth of the base delay per retry (>= 1). */
  readonly backoffMultiplier: number;
  /**
   * Jitter: a number j in [0, 1) draws each delay uniformly from [b × (1 − j), b × (1 + j))
   * (default 0.2); `"full"` draws it from [0, b), the letter of gRFC A6.
   */
  readonly jitter?: number | "full";
}

/** The delays of one call's retries. */
export interface RetryBackoff {
  /** The delay before the next retry, in milliseconds; advances the sequence. */
  next(): number;
  /** After a retry that followed a server pushback: the next delay is based on the initial backoff again (gRFC A6). */
  restart(): void;
}

/**
 * Creates the retry delays of one call: retry n (1-based, counted since the last pushback) has
 * base `b_n = min(initialBackoffMs × backoffMultiplier^(n−1), maxBackoffMs)`, jittered as set.
 *
 * @param random - uniform in [0, 1) (default `Math.random`).
 * @throws Error naming `retry.<field>` and the accepted values.
 * @example
 * const backoff = createRetryBackoff({ initialBackoffMs: 100, maxBackoffMs: 1000, backoffMultiplier: 2 });
 * backoff.next(); // 80..120, then 160..240, 320..480, 640..960, 800..1200, …
 */
export function createRetryBackoff(options: RetryBackoffOptions, random: () => number = Math.random): RetryBackoff {
  const { initialBackoffMs, maxBackoffMs, backoffMultiplier } = options;
  const jitter = options.jitter ?? 0.2;
  if (!(Number.isFinite(initialBackoffMs) && initialBackoffMs > 0)) {
    throw new Error(`retry.initialBackoffMs: must be a finite number > 0 (milliseconds), got ${String(initialBackoffMs)}`);
  }
  if (!(Number.isFinite(maxBackoffMs) && maxBackoffMs >= initialBackoffMs)) {
    throw new Error(`retry.maxBackoffMs: must be a finite number >= retry.initialBackoffMs (${initialBackoffMs}), got ${String(maxBackoffMs)}`);
  }
  if (!(Number.isFinite(backoffMultiplier) && backoffMultiplier >= 1)) {
    throw new Error(`retry.backoffMultiplier: must be a finite number >= 1, got ${String(backoffMultiplier)}`);
  }
  if (jitter !== "full" && !(typeof jitter === "number" && jitter >= 0 && jitter < 1)) {
    throw new Error(`retry.jitter: must be a number in [0, 1) or "full", got ${String(jitter)}`);
  }
  let retries = 0;
  return {
    next() {
      const base = Math.min(initialBackoffMs * backoffMultiplier ** retries, maxBackoffMs);
      retries++;
      return jitter === "full" ? base * random() : base * (1 + jitter * (2 * random() - 1));
    },
    restart() {
      retries = 0;
    },
  };
}

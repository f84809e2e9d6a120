// Connection backoff as in gRPC's connection-backoff spec: the first retry waits the initial delay,
// each later one grows by the multiplier up to the maximum, with ± jitter so clients spread out.

/** Options of {@link createBackoff}; defaults are gRPC's. */
export interface BackoffOptions {
  /** First delay in milliseconds (default 1000). */
  readonly initialMs?: number;
  /** Growth factor per attempt (default 1.6, at least 1). */
  readonly multiplier?: number;
  /** Relative jitter: a delay d becomes uniform in [d × (1 − jitter), d × (1 + jitter)) (default 0.2, in [0, 1)). */
  readonly jitter?: number;
  /** Cap of the delay before jitter, in milliseconds (default 120000, at least `initialMs`). */
  readonly maxMs?: number;
}

/** A sequence of retry delays. */
export interface Backoff {
  /** The delay before the next attempt, in milliseconds; advances the sequence. */
  next(): number;
  /** Starts over at the initial delay (after a success). */
  reset(): void;
}

function requireNumber(field: string, value: unknown, ok: (v: number) => boolean, accepted: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) {
    throw new Error(`backoff.${field}: must be ${accepted}, got ${String(value)}`);
  }
  return value;
}

/**
 * Creates a backoff. Attempt 1 waits `initialMs` exactly; attempt k > 1 waits
 * `b_k × (1 + jitter × (2 × random() − 1))` with `b_k = min(initialMs × multiplier^(k−1), maxMs)`,
 * so a jittered delay may exceed `maxMs` by up to `jitter × maxMs`, as in gRPC.
 *
 * @param options - delays and growth; each is validated.
 * @param random - uniform in [0, 1) (default `Math.random`).
 * @throws Error naming the field (`backoff.initialMs`, …) and its accepted range.
 * @example
 * const backoff = createBackoff({ initialMs: 100 }, Math.random);
 * setTimeout(reconnect, backoff.next()); // 100, then about 160, 256, …
 */
export function createBackoff(options: BackoffOptions = {}, random: () => number = Math.random): Backoff {
  const initialMs = requireNumber("initialMs", options.initialMs ?? 1000, (v) => v > 0, "a finite number > 0 (milliseconds)");
  const multiplier = requireNumber("multiplier", options.multiplier ?? 1.6, (v) => v >= 1, "a finite number >= 1");
  const jitter = requireNumber("jitter", options.jitter ?? 0.2, (v) => v >= 0 && v < 1, "a number in [0, 1)");
  const maxMs = requireNumber(
    "maxMs",
    options.maxMs ?? 120_000,
    (v) => v >= initialMs,
    `a finite number >= backoff.initialMs (${initialMs})`,
  );
  let base: number | undefined;
  return {
    next() {
      if (base === undefined) {
        base = initialMs;
        return initialMs;
      }
      base = Math.min(base * multiplier, maxMs);
      return base * (1 + jitter * (2 * random() - 1));
    },
    reset() {
      base = undefined;
    },
  };
}

// A token-bucket rate limiter: `rate` tokens a second refill a bucket of `burst`; each call takes
// one token or is refused, with the time until the next token as a retry hint.
import { numberOption } from "./validate.js";

/** Options of {@link createTokenBucket}. */
export interface TokenBucketOptions {
  /** Tokens added per second (> 0). */
  readonly rate: number;
  /** Bucket size: the most calls allowed at once after a quiet spell (>= 1; default `rate`, at least 1). */
  readonly burst?: number;
  /** Monotonic clock in milliseconds. */
  readonly now: () => number;
}

/** A token bucket. */
export interface TokenBucket {
  /** Takes `count` tokens (default 1) if the bucket holds them; returns whether it did. */
  tryTake(count?: number): boolean;
  /** Tokens in the bucket now (fractional). */
  available(): number;
  /** Milliseconds until `count` tokens (default 1) are available; 0 if they are now. */
  msUntil(count?: number): number;
}

/**
 * Creates a token bucket that starts full. Tokens accrue continuously at `rate` per second up to
 * `burst`.
 * @throws Error naming `rate` or `burst` when out of range.
 * @example
 * const bucket = createTokenBucket({ rate: 100, burst: 10, now: () => performance.now() });
 * if (!bucket.tryTake()) reject(bucket.msUntil());
 */
export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const rate = numberOption("rate", options.rate, Number.NaN, { min: 0, minExclusive: true });
  const burst = numberOption("burst", options.burst, Math.max(1, rate), { min: 1 });
  const { now } = options;
  let tokens = burst;
  let stamp = now();
  const refill = (): void => {
    const t = now();
    if (t > stamp) {
      tokens = Math.min(burst, tokens + ((t - stamp) * rate) / 1000);
      stamp = t;
    }
  };
  return {
    tryTake(count = 1) {
      refill();
      if (tokens < count) return false;
      tokens -= count;
      return true;
    },
    available() {
      refill();
      return tokens;
    },
    msUntil(count = 1) {
      refill();
      return tokens >= count ? 0 : ((count - tokens) * 1000) / rate;
    },
  };
}

// Reads a server's retry pushback (gRFC A6 `grpc-retry-pushback-ms` trailer): retry after a given
// delay, or do not retry at all.
import { maxTimerDelayMs } from "../../transport/deadline-timer.js";

/** The response header (trailer) a server pushes back with. */
export const pushbackHeader = "grpc-retry-pushback-ms";

/** What a pushback tells the client. */
export type Pushback =
  /** No pushback: the policy's backoff decides. */
  | { readonly kind: "none" }
  /** Do not retry this call (negative, malformed or repeated value). */
  | { readonly kind: "stop" }
  /** Retry after exactly `delayMs` (no jitter), then restart the backoff sequence. */
  | { readonly kind: "delay"; readonly delayMs: number };

/**
 * Parses the value of `grpc-retry-pushback-ms` as gRFC A6 says: absent is no pushback; a
 * non-negative decimal integer is the delay; anything else (negative, not an integer, several
 * values joined by "," as `Headers.get` does) means do not retry. A delay longer than a timer
 * can wait (2^31 − 1 ms, about 24.8 days) also means do not retry.
 *
 * @example
 * parsePushback(trailers.get(pushbackHeader)); // "250" → { kind: "delay", delayMs: 250 }; "-1" → { kind: "stop" }
 */
export function parsePushback(value: string | null | undefined): Pushback {
  if (value === null || value === undefined) return { kind: "none" };
  const text = value.trim();
  if (!/^\d+$/.test(text)) return { kind: "stop" };
  const delayMs = Number(text);
  return delayMs > maxTimerDelayMs ? { kind: "stop" } : { kind: "delay", delayMs };
}

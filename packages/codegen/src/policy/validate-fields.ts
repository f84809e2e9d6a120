// Field-level checks of the sluice.v1 policy messages (ranges, required fields, header names),
// shared by the method and the service options.
import type { CachePolicy, HedgePolicy, RetryPolicy } from "../gen/sluice/v1/options_pb.js";
import type { Report } from "./problems.js";
import { checkAdaptiveDelayFields } from "./adaptive-delay.js";

/** A lower-case HTTP header name (an RFC 9110 token without upper-case letters). */
const headerName = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** Checks an int64 option that must not be negative (0 usually meaning "off" or "default"). */
export function checkNotNegative(value: bigint, field: string, report: Report): void {
  if (value < 0n) {
    report(field, `must be >= 0, got ${value}`);
  }
}

/** Checks `max_attempts` of a retry or hedge policy; 0 (unset) is accepted when `required` is false. */
export function checkAttempts(value: number, field: string, required: boolean, report: Report): void {
  if (value === 0 && !required) {
    return;
  }
  if (value < 2 || value > 10) {
    report(field, `must be between 2 and 10, got ${value}`);
  }
}

/** Checks the fields of a cache policy; `prefix` is e.g. `(sluice.v1.method).cache`. */
export function checkCache(cache: CachePolicy, prefix: string, report: Report): void {
  if (cache.ttlMs <= 0n) {
    report(`${prefix}.ttl_ms`, `must be > 0, got ${cache.ttlMs}`);
  }
  checkNotNegative(cache.maxEntries, `${prefix}.max_entries`, report);
  checkNotNegative(cache.maxBytes, `${prefix}.max_bytes`, report);
  if (cache.maxEntries === 0n && cache.maxBytes === 0n) {
    report(prefix, "needs a bound: set max_entries > 0 or max_bytes > 0 (or both)");
  }
  checkNotNegative(cache.staleWhileRevalidateMs, `${prefix}.stale_while_revalidate_ms`, report);
  for (const header of cache.keyHeaders) {
    if (!headerName.test(header)) {
      report(`${prefix}.key_headers`, `must hold lower-case header names (e.g. "x-tenant-id"), got ${JSON.stringify(header)}`);
    }
  }
}

/** Checks the fields of a retry policy that are set; `requireAttempts` demands max_attempts. */
export function checkRetry(retry: RetryPolicy, prefix: string, requireAttempts: boolean, report: Report): void {
  checkAttempts(retry.maxAttempts, `${prefix}.max_attempts`, requireAttempts, report);
  if (retry.initialBackoffMs < 0n) {
    report(`${prefix}.initial_backoff_ms`, `must be > 0 (or unset for the default 100), got ${retry.initialBackoffMs}`);
  }
  if (retry.maxBackoffMs < 0n) {
    report(`${prefix}.max_backoff_ms`, `must be > 0 (or unset for the default 5000), got ${retry.maxBackoffMs}`);
  }
  const multiplier = retry.backoffMultiplier;
  if (multiplier !== 0 && !(Number.isFinite(multiplier) && multiplier >= 1)) {
    report(`${prefix}.backoff_multiplier`, `must be >= 1 (or unset for the default 2), got ${multiplier}`);
  }
}

/** Checks the fields of a hedging policy that are set; `requireAttempts` demands max_attempts. */
export function checkHedge(hedge: HedgePolicy, prefix: string, requireAttempts: boolean, report: Report): void {
  checkAttempts(hedge.maxAttempts, `${prefix}.max_attempts`, requireAttempts, report);
  checkNotNegative(hedge.hedgingDelayMs, `${prefix}.hedging_delay_ms`, report);
  checkAdaptiveDelayFields(hedge, prefix, report);
}

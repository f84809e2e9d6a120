// Checks a method policy changed by caller overrides, with the same rules codegen applies to the
// .proto options, so an override cannot slip past them; errors name overrides.<method>.<field>.
import type { MethodPolicy } from "./method-policy.js";
import { checkAdaptiveDelay } from "./retry/attempt-policy.js";

const positive = (value: unknown): boolean => typeof value === "number" && Number.isFinite(value) && value > 0;
const nonNegative = (value: unknown): boolean => typeof value === "number" && Number.isFinite(value) && value >= 0;
const attempts = (value: unknown): boolean => typeof value === "number" && Number.isInteger(value) && value >= 2 && value <= 10;

/**
 * Throws an Error naming `overrides.<method>.<field>` when the merged policy breaks a rule.
 *
 * @private
 */
export function validateMethodPolicy(method: string, policy: MethodPolicy<unknown>): void {
  const fail = (field: string, message: string): never => {
    throw new Error(`overrides.${method}.${field}: ${message}`);
  };
  if (policy.timeoutMs !== undefined && !positive(policy.timeoutMs)) {
    fail("timeoutMs", `must be a finite number > 0 (milliseconds), got ${String(policy.timeoutMs)}`);
  }
  const { cache, retry, hedge, routingKey } = policy;
  if (cache !== undefined) {
    if (policy.idempotency !== "no-side-effects") {
      fail("cache", `needs a side-effect-free method (idempotency_level = NO_SIDE_EFFECTS), got "${policy.idempotency}"`);
    }
    if (!positive(cache.ttlMs)) fail("cache.ttlMs", `must be > 0, got ${String(cache.ttlMs)}`);
    if (!nonNegative(cache.maxEntries)) fail("cache.maxEntries", `must be >= 0, got ${String(cache.maxEntries)}`);
    if (!nonNegative(cache.maxBytes)) fail("cache.maxBytes", `must be >= 0, got ${String(cache.maxBytes)}`);
    if (cache.maxEntries === 0 && cache.maxBytes === 0) fail("cache", "needs maxEntries or maxBytes (or both) > 0");
    if (!nonNegative(cache.staleWhileRevalidateMs)) {
      fail("cache.staleWhileRevalidateMs", `must be >= 0, got ${String(cache.staleWhileRevalidateMs)}`);
    }
  }
  if (retry !== undefined) {
    if (policy.idempotency === "unknown") {
      fail("retry", 'needs an idempotent method (idempotency_level = IDEMPOTENT or NO_SIDE_EFFECTS), got "unknown"');
    }
    if (!attempts(retry.maxAttempts)) fail("retry.maxAttempts", `must be an integer from 2 to 10, got ${String(retry.maxAttempts)}`);
    if (!positive(retry.initialBackoffMs)) fail("retry.initialBackoffMs", `must be > 0, got ${String(retry.initialBackoffMs)}`);
    if (!(positive(retry.maxBackoffMs) && retry.maxBackoffMs >= retry.initialBackoffMs)) {
      fail("retry.maxBackoffMs", `must be >= initialBackoffMs (${String(retry.initialBackoffMs)}), got ${String(retry.maxBackoffMs)}`);
    }
    if (!(typeof retry.backoffMultiplier === "number" && retry.backoffMultiplier >= 1)) {
      fail("retry.backoffMultiplier", `must be >= 1, got ${String(retry.backoffMultiplier)}`);
    }
  }
  if (hedge !== undefined) {
    if (policy.idempotency !== "no-side-effects") {
      fail("hedge", `needs a side-effect-free method (idempotency_level = NO_SIDE_EFFECTS), got "${policy.idempotency}"`);
    }
    if (!attempts(hedge.maxAttempts)) fail("hedge.maxAttempts", `must be an integer from 2 to 10, got ${String(hedge.maxAttempts)}`);
    if (!nonNegative(hedge.hedgingDelayMs)) fail("hedge.hedgingDelayMs", `must be >= 0, got ${String(hedge.hedgingDelayMs)}`);
  }
  if (retry !== undefined && hedge !== undefined) {
    fail("hedge", "cannot be set beside retry: a method either retries after a failure or hedges after a delay; set the other to null");
  }
  if (hedge?.adaptiveDelay !== undefined) checkAdaptiveDelay(`overrides.${method}.hedge`, hedge.adaptiveDelay);
  if (routingKey !== undefined && typeof routingKey.get !== "function") {
    fail("routingKey.get", "must be a function that reads the key from a request");
  }
}

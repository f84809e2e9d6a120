// Checks a retry or hedge policy given at runtime (client or call override, or a service config
// carried over) and applies gRFC A6's runtime cap of 5 attempts.
import { Code } from "@connectrpc/connect";
import type { AdaptiveHedgeDelay, HedgePolicy, RetryPolicy } from "../method-policy.js";
import { createHedgingDelayEstimator } from "./hedging-delay.js";

/** Most attempts a call makes, first included (gRFC A6: larger `maxAttempts` are treated as 5). */
export const maxAttemptsCap = 5;

/** A method's retry and hedge policy after overrides; at most one of them may be set. */
export interface AttemptPolicies {
  readonly retry?: RetryPolicy;
  readonly hedge?: HedgePolicy;
}

const codeNames = Object.keys(Code).filter((k) => isNaN(Number(k)));

function fail(field: string, message: string): never {
  throw new Error(`${field}: ${message}`);
}

function checkAttempts(field: string, value: unknown): number {
  if (!(typeof value === "number" && Number.isInteger(value) && value >= 2)) {
    fail(`${field}.maxAttempts`, `must be an integer >= 2 (values above ${maxAttemptsCap} count as ${maxAttemptsCap}), got ${String(value)}`);
  }
  return Math.min(value, maxAttemptsCap);
}

function checkCodes(field: string, codes: unknown, required: boolean): readonly Code[] {
  if (!Array.isArray(codes) || (required && codes.length === 0)) {
    fail(field, `must be ${required ? "a non-empty" : "an"} array of Connect codes (${codeNames.join(", ")})`);
  }
  for (const code of codes) {
    if (typeof code !== "number" || Code[code] === undefined) {
      fail(field, `${String(code)} is not a Connect code; accepted: ${codeNames.join(", ")}`);
    }
  }
  return [...new Set(codes as Code[])];
}

/**
 * Validates a retry policy and returns it with `maxAttempts` capped at 5 and duplicate codes
 * dropped. Errors name `<field>.<name>`, e.g. `overrides.getItem.retry.maxBackoffMs`.
 *
 * @example
 * validateRetryPolicy("retry", { maxAttempts: 8, initialBackoffMs: 100, maxBackoffMs: 1000, backoffMultiplier: 2, retryableCodes: [Code.Unavailable] });
 * // → the same with maxAttempts: 5
 */
export function validateRetryPolicy(field: string, policy: RetryPolicy): RetryPolicy {
  if (typeof policy !== "object" || policy === null) fail(field, "must be a retry policy object");
  const maxAttempts = checkAttempts(field, policy.maxAttempts);
  const { initialBackoffMs, maxBackoffMs, backoffMultiplier } = policy;
  if (!(Number.isFinite(initialBackoffMs) && initialBackoffMs > 0)) {
    fail(`${field}.initialBackoffMs`, `must be a finite number of milliseconds > 0, got ${String(initialBackoffMs)}`);
  }
  if (!(Number.isFinite(maxBackoffMs) && maxBackoffMs >= initialBackoffMs)) {
    fail(`${field}.maxBackoffMs`, `must be a finite number >= initialBackoffMs (${initialBackoffMs}), got ${String(maxBackoffMs)}`);
  }
  if (!(Number.isFinite(backoffMultiplier) && backoffMultiplier >= 1)) {
    fail(`${field}.backoffMultiplier`, `must be a finite number >= 1, got ${String(backoffMultiplier)}`);
  }
  const retryableCodes = checkCodes(`${field}.retryableCodes`, policy.retryableCodes, true);
  return { maxAttempts, initialBackoffMs, maxBackoffMs, backoffMultiplier, retryableCodes };
}

/**
 * Validates a hedge policy and returns it with `maxAttempts` capped at 5 and duplicate codes
 * dropped. Errors name `<field>.<name>`.
 */
export function validateHedgePolicy(field: string, policy: HedgePolicy): HedgePolicy {
  if (typeof policy !== "object" || policy === null) fail(field, "must be a hedge policy object");
  const maxAttempts = checkAttempts(field, policy.maxAttempts);
  if (!(Number.isFinite(policy.hedgingDelayMs) && policy.hedgingDelayMs >= 0)) {
    fail(`${field}.hedgingDelayMs`, `must be a finite number of milliseconds >= 0, got ${String(policy.hedgingDelayMs)}`);
  }
  const nonFatalCodes = checkCodes(`${field}.nonFatalCodes`, policy.nonFatalCodes ?? [], false);
  const { adaptiveDelay } = policy;
  if (adaptiveDelay === undefined) return { maxAttempts, hedgingDelayMs: policy.hedgingDelayMs, nonFatalCodes };
  checkAdaptiveDelay(field, adaptiveDelay);
  return { maxAttempts, hedgingDelayMs: policy.hedgingDelayMs, nonFatalCodes, adaptiveDelay };
}

/**
 * Checks an adaptive hedging delay as the estimator will; errors name `<field>.adaptiveDelay.<name>`.
 *
 * @private
 */
export function checkAdaptiveDelay(field: string, adaptive: AdaptiveHedgeDelay): void {
  if (typeof adaptive !== "object" || adaptive === null) fail(`${field}.adaptiveDelay`, "must be an object ({ percentile?, minSamples?, floorMs?, ceilingMs? })");
  try {
    createHedgingDelayEstimator({ ...adaptive, fallbackMs: 0 }, () => 0);
  } catch (error) {
    throw new Error((error as Error).message.replace(/^hedge\./, `${field}.adaptiveDelay.`));
  }
}

/**
 * Validates a method's retry and hedge policies together: each as above, and not both (a call
 * either retries after failures or hedges after a delay; gRFC A6 allows one). `field` names the
 * method, e.g. `overrides.getItem`.
 */
export function validateAttemptPolicies(field: string, policies: AttemptPolicies): AttemptPolicies {
  const { retry, hedge } = policies;
  if (retry !== undefined && hedge !== undefined) {
    fail(field, "sets both retry and hedge; a method has one or the other (set the one you do not want to null)");
  }
  if (retry !== undefined) return { retry: validateRetryPolicy(`${field}.retry`, retry) };
  if (hedge !== undefined) return { hedge: validateHedgePolicy(`${field}.hedge`, hedge) };
  return {};
}

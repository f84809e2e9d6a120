// Per-channel retry budgets: Finagle's (retries ≤ a percentage of recent requests plus a reserve
// of a few per second, over a sliding window) by default, or gRPC's token throttling (gRFC A6).
import { createWindowedCounter } from "./windowed-counter.js";

/** Finagle's budget (the default): retries ≤ `percentCanRetry` × requests in the window + `minRetriesPerSecond` × window. */
export interface WindowedBudgetConfig {
  readonly type: "windowed";
  /** How long a request's deposit and a retry's withdrawal count, in ms (1000 to 60000; default 10000). */
  readonly windowMs?: number;
  /** Retries always allowed per second of window, for quiet clients (integer >= 0; default 10). */
  readonly minRetriesPerSecond?: number;
  /** Retries allowed per request, on top of the reserve (0 to 1000; default 0.2). */
  readonly percentCanRetry?: number;
}

/** gRPC's retry throttling (service config `retryThrottling`). */
export interface ThrottlingBudgetConfig {
  readonly type: "throttling";
  /** Token count at start and its cap (number in (0, 1000]); retries stop while tokens ≤ maxTokens / 2. */
  readonly maxTokens: number;
  /** Tokens a successful attempt gives back (> 0; decimals past the third are dropped). */
  readonly tokenRatio: number;
}

/** Which retry budget a channel keeps. */
export type RetryBudgetConfig = WindowedBudgetConfig | ThrottlingBudgetConfig;

/** What a budget has let through and held back since it was created. */
export interface RetryBudgetStats {
  readonly type: RetryBudgetConfig["type"];
  /** Original requests recorded with `onRequest()`. */
  readonly requests: number;
  /** Retries and hedges granted by `tryRetry()`. */
  readonly spent: number;
  /** Retries and hedges refused by `tryRetry()`: the call returned its error instead. */
  readonly refused: number;
  /**
   * Windowed: retries that would be granted right now. Throttling: retryable failures the
   * budget can take before it stops granting retries.
   */
  readonly available: number;
}

/** A channel's retry budget, shared by every client (and every method) on the channel. */
export interface RetryBudget {
  /** Records an original request (not a retry or hedge). */
  onRequest(): void;
  /**
   * Records how an attempt ended, for throttling: `"success"` gives tokens back,
   * `"retryable-failure"` (a code the policy retries, or a hedge's non-fatal code) takes one.
   * The windowed budget ignores it.
   */
  onAttemptEnd(outcome: "success" | "retryable-failure"): void;
  /** Asks to spend on one retry or hedge; `false` means the budget is spent (stats count it as refused). */
  tryRetry(): boolean;
  stats(): RetryBudgetStats;
}

/**
 * Creates a retry budget (default `{ type: "windowed" }`: Finagle's 20 % of requests over 10 s
 * plus 10 retries per second).
 *
 * Windowed: each request deposits 1000 units, each retry withdraws ⌊1000 / percentCanRetry⌋
 * (1 when the percentage is 0), both for `windowMs`; a retry is granted while the window's sum
 * plus a reserve of `minRetriesPerSecond × windowMs/1000` retries covers one withdrawal.
 * Throttling: tokens start at `maxTokens`; a retryable failure takes 1 (not below 0), a success
 * gives `tokenRatio` (not above `maxTokens`); retries are granted while tokens > maxTokens / 2.
 *
 * @param now - monotonic clock in milliseconds (the windowed budget's window).
 * @throws Error naming `retryBudget.<field>` and the accepted values.
 * @example
 * const budget = createRetryBudget({ type: "windowed" }, () => performance.now());
 * budget.onRequest();
 * if (failed && budget.tryRetry()) retry(); else returnTheError();
 */
export function createRetryBudget(config: RetryBudgetConfig = { type: "windowed" }, now: () => number = () => performance.now()): RetryBudget {
  if (config.type === "windowed") return createWindowedBudget(config, now);
  if (config.type === "throttling") return createThrottlingBudget(config);
  throw new Error(`retryBudget.type: must be "windowed" or "throttling", got ${JSON.stringify((config as { type?: unknown }).type)}`);
}

const depositUnits = 1000;

function createWindowedBudget(config: WindowedBudgetConfig, now: () => number): RetryBudget {
  const windowMs = config.windowMs ?? 10_000;
  const minRetriesPerSecond = config.minRetriesPerSecond ?? 10;
  const percentCanRetry = config.percentCanRetry ?? 0.2;
  if (!(Number.isFinite(windowMs) && windowMs >= 1000 && windowMs <= 60_000)) {
    throw new Error(`retryBudget.windowMs: must be a number of milliseconds from 1000 to 60000, got ${String(config.windowMs)}`);
  }
  if (!(Number.isInteger(minRetriesPerSecond) && minRetriesPerSecond >= 0)) {
    throw new Error(`retryBudget.minRetriesPerSecond: must be an integer >= 0, got ${String(config.minRetriesPerSecond)}`);
  }
  if (!(Number.isFinite(percentCanRetry) && percentCanRetry >= 0 && percentCanRetry <= 1000)) {
    throw new Error(`retryBudget.percentCanRetry: must be a number from 0 to 1000, got ${String(config.percentCanRetry)}`);
  }
  const deposit = percentCanRetry === 0 ? 0 : depositUnits;
  const withdrawal = percentCanRetry === 0 ? 1 : Math.floor(depositUnits / percentCanRetry);
  const reserve = minRetriesPerSecond * (windowMs / 1000) * withdrawal;
  const counter = createWindowedCounter(windowMs, 10, now, "retryBudget");
  let requests = 0;
  let spent = 0;
  let refused = 0;
  const balance = (): number => counter.sum() + reserve;
  return {
    onRequest() {
      requests++;
      counter.add(deposit);
    },
    onAttemptEnd() {},
    tryRetry() {
      if (balance() >= withdrawal) {
        counter.add(-withdrawal);
        spent++;
        return true;
      }
      refused++;
      return false;
    },
    stats() {
      return { type: "windowed", requests, spent, refused, available: Math.max(0, Math.floor(balance() / withdrawal)) };
    },
  };
}

function createThrottlingBudget(config: ThrottlingBudgetConfig): RetryBudget {
  const { maxTokens, tokenRatio } = config;
  if (!(Number.isFinite(maxTokens) && maxTokens > 0 && maxTokens <= 1000)) {
    throw new Error(`retryBudget.maxTokens: must be a number in (0, 1000], got ${String(maxTokens)}`);
  }
  // Thousandths, so that repeated additions of e.g. 0.1 stay exact.
  const ratio = Math.floor(tokenRatio * 1000 + 1e-6);
  if (!(Number.isFinite(tokenRatio) && ratio > 0)) {
    throw new Error(`retryBudget.tokenRatio: must be a number >= 0.001, got ${String(tokenRatio)}`);
  }
  const max = Math.round(maxTokens * 1000);
  let tokens = max;
  let requests = 0;
  let spent = 0;
  let refused = 0;
  const allowed = (): boolean => tokens * 2 > max;
  return {
    onRequest() {
      requests++;
    },
    onAttemptEnd(outcome) {
      tokens = outcome === "success" ? Math.min(max, tokens + ratio) : Math.max(0, tokens - 1000);
    },
    tryRetry() {
      if (allowed()) {
        spent++;
        return true;
      }
      refused++;
      return false;
    },
    stats() {
      // Failures needed to reach the threshold: each takes one token.
      const available = allowed() ? Math.ceil((tokens - max / 2) / 1000) : 0;
      return { type: "throttling", requests, spent, refused, available };
    },
  };
}

import { createRetryBudget, type RetryBudget } from "./retry-budget.js";

/** Retries granted when every one of `requests` calls wants `retriesPerCall` retries, all at time t. */
function storm(budget: RetryBudget, requests: number, retriesPerCall: number): number {
  let granted = 0;
  for (let i = 0; i < requests; i++) {
    budget.onRequest();
    for (let r = 0; r < retriesPerCall; r++) {
      budget.onAttemptEnd("retryable-failure");
      if (!budget.tryRetry()) break;
      granted++;
    }
  }
  return granted;
}

describe("windowed retry budget (Finagle's, the default)", () => {
  it("grants 20 % of requests plus 10 per second of window, and no more", () => {
    const t = 0;
    const budget = createRetryBudget(undefined, () => t);
    // 1000 calls failing every attempt: 0.2 × 1000 + 10 × 10 = 300 retries; attempts = 1300 ≤ 1.2 × 1000 + 100.
    expect(storm(budget, 1000, 3)).toBe(300);
    // The first 35 calls get all 3 retries (105 ≤ 100 + 35 × 0.2); every later call is refused once.
    expect(budget.stats()).toEqual({ type: "windowed", requests: 1000, spent: 300, refused: 965, available: 0 });
  });

  it("starts with the reserve alone: 10 per second × 10 s", () => {
    const budget = createRetryBudget({ type: "windowed" }, () => 0);
    expect(budget.stats().available).toBe(100);
    expect(storm(budget, 1, 1000)).toBe(100);
  });

  it("forgets deposits and withdrawals once the window has passed", () => {
    let t = 0;
    const budget = createRetryBudget({ type: "windowed", windowMs: 1000, minRetriesPerSecond: 0, percentCanRetry: 0.5 }, () => t);
    for (let i = 0; i < 10; i++) budget.onRequest();
    expect(budget.stats().available).toBe(5);
    expect([budget.tryRetry(), budget.tryRetry()]).toEqual([true, true]);
    expect(budget.stats().available).toBe(3);
    t = 1000; // a new window: all gone, nothing left to spend
    expect(budget.stats().available).toBe(0);
    expect(budget.tryRetry()).toBe(false);
    budget.onRequest();
    budget.onRequest();
    expect(budget.stats()).toMatchObject({ requests: 12, spent: 2, refused: 1, available: 1 });
  });

  it("with percentCanRetry 0 allows only the reserve", () => {
    const budget = createRetryBudget({ type: "windowed", windowMs: 2000, minRetriesPerSecond: 3, percentCanRetry: 0 }, () => 0);
    expect(storm(budget, 100, 100)).toBe(6);
  });

  it("rejects bad settings naming the field", () => {
    expect(() => createRetryBudget({ type: "windowed", windowMs: 500 })).toThrow(/^retryBudget\.windowMs: must be a number of milliseconds from 1000 to 60000/);
    expect(() => createRetryBudget({ type: "windowed", minRetriesPerSecond: 1.5 })).toThrow(/^retryBudget\.minRetriesPerSecond/);
    expect(() => createRetryBudget({ type: "windowed", percentCanRetry: -0.1 })).toThrow(/^retryBudget\.percentCanRetry: must be a number from 0 to 1000/);
    expect(() => createRetryBudget({ type: "finagle" } as never)).toThrow(/^retryBudget\.type: must be "windowed" or "throttling", got "finagle"/);
  });
});

describe("throttling retry budget (gRPC's retryThrottling)", () => {
  it("stops retrying once failures bring the tokens to half of maxTokens", () => {
    const budget = createRetryBudget({ type: "throttling", maxTokens: 10, tokenRatio: 0.1 });
    expect(budget.stats().available).toBe(5);
    const granted: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      budget.onAttemptEnd("retryable-failure");
      granted.push(budget.tryRetry());
    }
    // 10 → 9, 8, 7, 6 (granted), 5 (= half: throttled), 4.
    expect(granted).toEqual([true, true, true, true, false, false]);
    expect(budget.stats()).toMatchObject({ spent: 4, refused: 2, available: 0 });
  });

  it("gives tokenRatio back per success, exactly, up to maxTokens", () => {
    const budget = createRetryBudget({ type: "throttling", maxTokens: 4, tokenRatio: 0.29 });
    for (let i = 0; i < 3; i++) budget.onAttemptEnd("retryable-failure"); // 4 → 1
    expect(budget.tryRetry()).toBe(false);
    for (let i = 0; i < 4; i++) budget.onAttemptEnd("success"); // 1 + 4 × 0.29 = 2.16
    expect(budget.tryRetry()).toBe(true);
    expect(budget.stats().available).toBe(1);
    for (let i = 0; i < 100; i++) budget.onAttemptEnd("success");
    expect(budget.stats().available).toBe(2); // capped at 4: two failures to reach 2
  });

  it("does not go below zero tokens", () => {
    const budget = createRetryBudget({ type: "throttling", maxTokens: 2, tokenRatio: 1 });
    for (let i = 0; i < 10; i++) budget.onAttemptEnd("retryable-failure");
    budget.onAttemptEnd("success");
    budget.onAttemptEnd("success"); // 0 + 2 = 2 > 1
    expect(budget.tryRetry()).toBe(true);
  });

  it("rejects bad settings naming the field", () => {
    expect(() => createRetryBudget({ type: "throttling", maxTokens: 0, tokenRatio: 1 })).toThrow(/^retryBudget\.maxTokens: must be a number in \(0, 1000\]/);
    expect(() => createRetryBudget({ type: "throttling", maxTokens: 1001, tokenRatio: 1 })).toThrow(/^retryBudget\.maxTokens/);
    expect(() => createRetryBudget({ type: "throttling", maxTokens: 10, tokenRatio: 0.0004 })).toThrow(/^retryBudget\.tokenRatio: must be a number >= 0.001/);
  });
});

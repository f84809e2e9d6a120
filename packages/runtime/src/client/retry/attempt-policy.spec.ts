import { Code } from "@connectrpc/connect";
import { maxAttemptsCap, validateAttemptPolicies, validateHedgePolicy, validateRetryPolicy } from "./attempt-policy.js";

const retry = { maxAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 1000, backoffMultiplier: 2, retryableCodes: [Code.Unavailable] };
const hedge = { maxAttempts: 3, hedgingDelayMs: 20, nonFatalCodes: [Code.Unavailable] };

describe("validateRetryPolicy", () => {
  it("caps maxAttempts at 5 and drops duplicate codes", () => {
    expect(maxAttemptsCap).toBe(5);
    expect(validateRetryPolicy("retry", { ...retry, maxAttempts: 10, retryableCodes: [Code.Unavailable, Code.Unavailable, Code.Aborted] })).toEqual({
      ...retry,
      maxAttempts: 5,
      retryableCodes: [Code.Unavailable, Code.Aborted],
    });
    expect(validateRetryPolicy("retry", retry)).toEqual(retry);
  });

  it("rejects each bad field by name", () => {
    const f = "overrides.getItem.retry";
    expect(() => validateRetryPolicy(f, { ...retry, maxAttempts: 1 })).toThrow(/^overrides\.getItem\.retry\.maxAttempts: must be an integer >= 2 \(values above 5 count as 5\), got 1/);
    expect(() => validateRetryPolicy(f, { ...retry, maxAttempts: 2.5 })).toThrow(/\.maxAttempts:/);
    expect(() => validateRetryPolicy(f, { ...retry, initialBackoffMs: 0 })).toThrow(/\.retry\.initialBackoffMs: must be a finite number/);
    expect(() => validateRetryPolicy(f, { ...retry, maxBackoffMs: 10 })).toThrow(/\.retry\.maxBackoffMs: must be a finite number >= initialBackoffMs \(100\)/);
    expect(() => validateRetryPolicy(f, { ...retry, backoffMultiplier: 0.5 })).toThrow(/\.retry\.backoffMultiplier/);
    expect(() => validateRetryPolicy(f, { ...retry, retryableCodes: [] })).toThrow(/\.retry\.retryableCodes: must be a non-empty array of Connect codes \(Canceled, /);
    expect(() => validateRetryPolicy(f, { ...retry, retryableCodes: [99 as Code] })).toThrow(/\.retry\.retryableCodes: 99 is not a Connect code; accepted: Canceled/);
    expect(() => validateRetryPolicy(f, null as never)).toThrow(/^overrides\.getItem\.retry: must be a retry policy object/);
  });
});

describe("validateHedgePolicy", () => {
  it("caps maxAttempts at 5 and accepts no non-fatal codes", () => {
    expect(validateHedgePolicy("hedge", { ...hedge, maxAttempts: 7 })).toEqual({ ...hedge, maxAttempts: 5 });
    expect(validateHedgePolicy("hedge", { maxAttempts: 2, hedgingDelayMs: 0, nonFatalCodes: [] })).toEqual({ maxAttempts: 2, hedgingDelayMs: 0, nonFatalCodes: [] });
  });

  it("rejects each bad field by name", () => {
    expect(() => validateHedgePolicy("hedge", { ...hedge, hedgingDelayMs: -1 })).toThrow(/^hedge\.hedgingDelayMs: must be a finite number of milliseconds >= 0/);
    expect(() => validateHedgePolicy("hedge", { ...hedge, maxAttempts: 0 })).toThrow(/^hedge\.maxAttempts/);
    expect(() => validateHedgePolicy("hedge", { ...hedge, nonFatalCodes: [Code.Unavailable, -3 as Code] })).toThrow(/^hedge\.nonFatalCodes: -3 is not a Connect code/);
  });
});

describe("validateAttemptPolicies", () => {
  it("refuses retry and hedge together, naming the method", () => {
    expect(() => validateAttemptPolicies("overrides.getItem", { retry, hedge })).toThrow(/^overrides\.getItem: sets both retry and hedge/);
  });

  it("validates whichever one is set", () => {
    expect(validateAttemptPolicies("m", { retry: { ...retry, maxAttempts: 6 } })).toEqual({ retry: { ...retry, maxAttempts: 5 } });
    expect(validateAttemptPolicies("m", { hedge })).toEqual({ hedge });
    expect(validateAttemptPolicies("m", {})).toEqual({});
    expect(() => validateAttemptPolicies("m", { hedge: { ...hedge, hedgingDelayMs: Number.NaN } })).toThrow(/^m\.hedge\.hedgingDelayMs/);
  });
});

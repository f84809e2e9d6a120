import { Code, createContextValues } from "@connectrpc/connect";
import { methodPolicyContext } from "../policy-context.js";
import type { HedgePolicy, MethodPolicy, RetryPolicy } from "../method-policy.js";
import { callAttemptPolicyContext, type CallAttemptPolicy } from "./attempt-context.js";
import { callPolicyOf } from "./call-policy.js";

const retry: RetryPolicy = { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 100, backoffMultiplier: 2, retryableCodes: [Code.Unavailable] };
const hedge: HedgePolicy = { maxAttempts: 2, hedgingDelayMs: 5, nonFatalCodes: [] };

function of(method: MethodPolicy | undefined, call?: CallAttemptPolicy) {
  const values = createContextValues().set(methodPolicyContext, method);
  return callPolicyOf(call === undefined ? values : values.set(callAttemptPolicyContext, call));
}

describe("callPolicyOf", () => {
  it("takes the method's policy where its idempotency allows it, capping maxAttempts at 5", () => {
    expect(of({ idempotency: "idempotent", retry })).toEqual({ retry });
    expect(of({ idempotency: "idempotent", retry: { ...retry, maxAttempts: 9 } })).toEqual({ retry: { ...retry, maxAttempts: 5 } });
    expect(of({ idempotency: "unknown", retry })).toEqual({});
    expect(of({ idempotency: "idempotent", hedge })).toEqual({});
    expect(of({ idempotency: "no-side-effects", hedge })).toEqual({ hedge });
    expect(of(undefined)).toEqual({});
  });

  it("lets a call replace the method's policy or turn it off", () => {
    expect(of({ idempotency: "no-side-effects", hedge }, { retry })).toEqual({ retry });
    expect(of({ idempotency: "idempotent", retry }, { retry: null })).toEqual({});
    expect(of({ idempotency: "no-side-effects", retry }, { hedge })).toEqual({ hedge });
  });

  it("throws naming the field when a call's policy is bad or not allowed for the method", () => {
    expect(() => of({ idempotency: "idempotent" }, { retry: { ...retry, maxBackoffMs: 1 } })).toThrow(/^call\.retry\.maxBackoffMs/);
    expect(() => of({ idempotency: "unknown" }, { retry })).toThrow(/^call\.retry: needs an idempotent method/);
    expect(() => of({ idempotency: "idempotent" }, { hedge })).toThrow(/^call\.hedge: needs a side-effect-free method/);
    expect(() => of({ idempotency: "no-side-effects" }, { retry, hedge })).toThrow(/^call: sets both retry and hedge/);
    expect(() => of({ idempotency: "no-side-effects" }, { hedge: { ...hedge, adaptiveDelay: { percentile: 2 } } })).toThrow(
      /^call\.hedge\.adaptiveDelay\.percentile/,
    );
  });
});

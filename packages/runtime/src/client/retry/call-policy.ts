// The retry or hedge policy one call runs with: the method's (after client overrides), replaced by
// the call's own when it gives one, and only where the method's idempotency allows it.
import type { ContextValues } from "@connectrpc/connect";
import { methodPolicyContext } from "../policy-context.js";
import type { HedgePolicy, RetryPolicy } from "../method-policy.js";
import { callAttemptPolicyContext } from "./attempt-context.js";
import { maxAttemptsCap, validateAttemptPolicies } from "./attempt-policy.js";

/** The policy a call's attempts follow: at most one of the two. @private */
export interface CallPolicy {
  readonly retry?: RetryPolicy;
  readonly hedge?: HedgePolicy;
}

const none: CallPolicy = {};

/**
 * Reads the call's policy from its context. Method policies were checked when the client was made;
 * a call's own policy is checked here and throws naming `call.<field>`. Retries need an idempotent
 * method, hedges a side-effect-free one; `maxAttempts` counts as at most 5.
 *
 * @private
 */
export function callPolicyOf(contextValues: ContextValues | undefined): CallPolicy {
  const method = contextValues?.get(methodPolicyContext);
  const own = contextValues?.get(callAttemptPolicyContext);
  const idempotency = method?.idempotency ?? "unknown";
  if (own === undefined) {
    if (method === undefined || idempotency === "unknown") return none;
    if (method.hedge !== undefined && idempotency === "no-side-effects") return { hedge: capped(method.hedge) };
    if (method.retry !== undefined) return { retry: capped(method.retry) };
    return none;
  }
  // The call's policy replaces the method's: giving one kind drops the method's other kind.
  const givesOne = (own.retry !== undefined && own.retry !== null) || (own.hedge !== undefined && own.hedge !== null);
  const retry = own.retry === null ? undefined : (own.retry ?? (givesOne ? undefined : method?.retry));
  const hedge = own.hedge === null ? undefined : (own.hedge ?? (givesOne ? undefined : method?.hedge));
  const checked = validateAttemptPolicies("call", { retry, hedge });
  if (checked.retry !== undefined && idempotency === "unknown") {
    throw new Error('call.retry: needs an idempotent method (idempotency_level = IDEMPOTENT or NO_SIDE_EFFECTS), got "unknown"');
  }
  if (checked.hedge !== undefined && idempotency !== "no-side-effects") {
    throw new Error(`call.hedge: needs a side-effect-free method (idempotency_level = NO_SIDE_EFFECTS), got "${idempotency}"`);
  }
  return checked;
}

function capped<P extends { readonly maxAttempts: number }>(policy: P): P {
  return policy.maxAttempts <= maxAttemptsCap ? policy : { ...policy, maxAttempts: maxAttemptsCap };
}

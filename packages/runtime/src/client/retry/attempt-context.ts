// Context keys between the retry and hedge layers and the channel below them: which endpoints an
// attempt should avoid and who to tell which endpoint it went to; and a call's own attempt policy.
import { createContextKey, createContextValues, type ContextValues } from "@connectrpc/connect";
import type { HedgePolicy, RetryPolicy } from "../method-policy.js";

/** What one attempt of a retried or hedged call tells the channel, and hears back from it. */
export interface AttemptRouting {
  /** Addresses the attempt should not go to while another ready endpoint can take it. */
  readonly avoid: ReadonlySet<string>;
  /** Called with the address of the endpoint the channel sends the attempt to (each pick). */
  readonly onPicked: (address: string) => void;
}

/**
 * Set by the retry and hedge layers on each attempt; read by a Sluice channel when it picks an
 * endpoint. Transports other than a channel ignore it.
 */
export const attemptRoutingContext = createContextKey<AttemptRouting | undefined>(undefined, {
  description: "sluice attempt routing",
});

/** A call's own retry or hedge policy, replacing the method's (`null` turns it off for the call). */
export interface CallAttemptPolicy {
  readonly retry?: RetryPolicy | null;
  readonly hedge?: HedgePolicy | null;
}

/**
 * Context key carrying a call's own retry or hedge policy; see {@link withAttemptPolicy}.
 */
export const callAttemptPolicyContext = createContextKey<CallAttemptPolicy | undefined>(undefined, {
  description: "sluice call attempt policy",
});

/**
 * Returns context values that give one call its own retry or hedge policy, for the call option
 * `contextValues`. The policy is checked when the call starts (errors name `call.retry.<field>`).
 *
 * @example
 * ```ts
 * await client.getItem(req, { contextValues: withAttemptPolicy({ retry: null }) }); // no retries for this call
 * ```
 */
export function withAttemptPolicy(policy: CallAttemptPolicy, base: ContextValues = createContextValues()): ContextValues {
  return base.set(callAttemptPolicyContext, policy);
}

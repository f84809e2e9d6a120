// The routing key of a call: set by the policy client from the method's generated accessor (or by
// the caller per call) and read by the channel's ring-hash picker.
import { createContextKey, createContextValues, type ContextValues } from "@connectrpc/connect";
import { overlayContext } from "../call/context-overlay.js";

/**
 * Context key carrying a call's affinity key to the channel. `undefined` means no key.
 *
 * @example
 * ```ts
 * await client.getItem(req, { contextValues: createContextValues().set(routingKeyContext, "a-1") });
 * ```
 */
export const routingKeyContext = createContextKey<string | undefined>(undefined, {
  description: "sluice routing key",
});

/** Returns fresh context values carrying `key` as the call's routing key. */
export function withRoutingKey(key: string, base: ContextValues = createContextValues()): ContextValues {
  return base.set(routingKeyContext, key);
}

/**
 * Context values that read as `base` except for the routing key, without mutating `base` (a caller
 * may reuse one `ContextValues` across calls).
 *
 * @private
 */
export function overlayRoutingKey(base: ContextValues | undefined, key: string): ContextValues {
  return overlayContext(base, routingKeyContext, key);
}

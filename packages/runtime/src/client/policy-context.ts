// The call's method policy, carried in Connect's contextValues so each layer reads it per call.
import { createContextKey } from "@connectrpc/connect";
import type { MethodPolicy } from "./method-policy.js";
/** The method policy of the current call; `undefined` when the method has none. */
export const methodPolicyContext = createContextKey<MethodPolicy<unknown> | undefined>(undefined, { description: "sluice method policy" });

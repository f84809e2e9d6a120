// The outermost layer of a generated client's pipeline: puts each call's method policy into its
// context, so the layers below read it per call instead of closing over a table.
import type { Transport } from "@connectrpc/connect";
import type { DescMethod } from "@bufbuild/protobuf";
import { overlayContext } from "../call/context-overlay.js";
import { methodPolicyContext } from "./policy-context.js";
import type { ResolvedPolicies } from "./resolve-policies.js";
import type { TransportLayer } from "./layer.js";

/**
 * A layer that attaches `policies` (by method local name) to every call of their service. A call
 * whose context already carries a policy (set by an outer pipeline) keeps it.
 *
 * @private
 */
export function policyLayer(policies: ResolvedPolicies): TransportLayer {
  const attach = (method: DescMethod, contextValues: Parameters<Transport["unary"]>[5]) => {
    if (contextValues?.get(methodPolicyContext) !== undefined) return contextValues;
    const policy = policies.get(method.localName);
    return policy === undefined ? contextValues : overlayContext(contextValues, methodPolicyContext, policy);
  };
  return (next) => ({
    unary(method, signal, timeoutMs, header, input, contextValues) {
      return next.unary(method, signal, timeoutMs, header, input, attach(method, contextValues));
    },
    stream(method, signal, timeoutMs, header, input, contextValues) {
      return next.stream(method, signal, timeoutMs, header, input, attach(method, contextValues));
    },
  });
}

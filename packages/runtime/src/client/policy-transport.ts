// A Transport decorator that applies each method's policy (default deadline, routing key) before
// handing the call to the transport below; cache, retry and hedging layers plug in here too.
import type { Transport } from "@connectrpc/connect";
import { routingKeyContext, overlayRoutingKey } from "./routing-key.js";
import type { ResolvedPolicies } from "./resolve-policies.js";
import type { MethodPolicy } from "./method-policy.js";
import type { ContextValues } from "@connectrpc/connect";

/**
 * Wraps `transport` so every call gets its method's default timeout (when the caller gave none)
 * and its routing key (when the caller set none).
 *
 * @private
 */
export function createPolicyTransport(transport: Transport, policies: ResolvedPolicies): Transport {
  const contextFor = (
    policy: MethodPolicy<unknown> | undefined,
    input: unknown,
    contextValues: ContextValues | undefined,
  ): ContextValues | undefined => {
    const accessor = policy?.routingKey;
    if (accessor === undefined || contextValues?.get(routingKeyContext) !== undefined) {
      return contextValues;
    }
    const key = accessor.get(input);
    return key === undefined ? contextValues : overlayRoutingKey(contextValues, key);
  };
  return {
    unary(method, signal, timeoutMs, header, input, contextValues) {
      const policy = policies.get(method.localName);
      return transport.unary(
        method,
        signal,
        timeoutMs ?? policy?.timeoutMs,
        header,
        input,
        contextFor(policy, input, contextValues),
      );
    },
    stream(method, signal, timeoutMs, header, input, contextValues) {
      const policy = policies.get(method.localName);
      return transport.stream(method, signal, timeoutMs ?? policy?.timeoutMs, header, input, contextValues);
    },
  };
}

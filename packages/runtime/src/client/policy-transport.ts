// A Transport decorator that applies each method's policy (default deadline, routing key) before
// handing the call to the transport below; cache, retry and hedging layers plug in here too.
import type { Transport } from "@connectrpc/connect";
import { routingKeyContext, overlayRoutingKey } from "./routing-key.js";
import type { ResolvedPolicies } from "./resolve-policies.js";
import type { MethodPolicy } from "./method-policy.js";
import type { ContextValues } from "@connectrpc/connect";
import { createAsyncIterable } from "@connectrpc/connect/protocol";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/**
 * Wraps `transport` so every call gets its method's default timeout (when the caller gave none)
 * and its routing key (when the caller set none; unary and server-streaming methods).
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
    async stream(method, signal, timeoutMs, header, input, contextValues) {
      const policy = policies.get(method.localName);
      const timeout = timeoutMs ?? policy?.timeoutMs;
      if (
        method.methodKind !== "server_streaming" ||
        policy?.routingKey === undefined ||
        contextValues?.get(routingKeyContext) !== undefined
      ) {
        return transport.stream(method, signal, timeout, header, input, contextValues);
      }
      // A server-streaming call has exactly one request: read it to key the call, then send it on.
      const requests = await collect(input);
      return transport.stream(
        method,
        signal,
        timeout,
        header,
        createAsyncIterable(requests),
        contextFor(policy, requests[0], contextValues),
      );
    },
  };
}

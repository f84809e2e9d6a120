// The defaults layer of the call pipeline: fills in the method's default deadline and routing key
// from the policy the call carries in its context (methodPolicyContext).
import type { ContextValues, Transport } from "@connectrpc/connect";
import { iterableOf } from "../call/async-iterable.js";
import { routingKeyContext, overlayRoutingKey } from "./routing-key.js";
import { methodPolicyContext } from "./policy-context.js";
import type { MethodPolicy } from "./method-policy.js";
import type { TransportLayer } from "./layer.js";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

function keyedContext(
  policy: MethodPolicy<unknown> | undefined,
  input: unknown,
  contextValues: ContextValues | undefined,
): ContextValues | undefined {
  const accessor = policy?.routingKey;
  if (accessor === undefined || contextValues?.get(routingKeyContext) !== undefined) return contextValues;
  const key = accessor.get(input);
  return key === undefined ? contextValues : overlayRoutingKey(contextValues, key);
}

/**
 * The defaults layer: a call without a timeout gets its method's `timeoutMs`, and a call without a
 * routing key gets the one the method's generated accessor reads from the request (unary and
 * server-streaming methods; the caller's object is not mutated). Calls whose context carries no
 * policy pass through unchanged.
 */
export const defaultsLayer: TransportLayer = (next: Transport): Transport => ({
  unary(method, signal, timeoutMs, header, input, contextValues) {
    const policy = contextValues?.get(methodPolicyContext);
    if (policy === undefined) return next.unary(method, signal, timeoutMs, header, input, contextValues);
    return next.unary(method, signal, timeoutMs ?? policy.timeoutMs, header, input, keyedContext(policy, input, contextValues));
  },
  async stream(method, signal, timeoutMs, header, input, contextValues) {
    const policy = contextValues?.get(methodPolicyContext);
    const timeout = timeoutMs ?? policy?.timeoutMs;
    if (
      method.methodKind !== "server_streaming" ||
      policy?.routingKey === undefined ||
      contextValues?.get(routingKeyContext) !== undefined
    ) {
      return next.stream(method, signal, timeout, header, input, contextValues);
    }
    // A server-streaming call has exactly one request: read it to key the call, then send it on.
    const requests = await collect(input);
    return next.stream(method, signal, timeout, header, iterableOf(requests), keyedContext(policy, requests[0], contextValues));
  },
});

// The retry and hedge layers of the call pipeline: calls whose policy (method, client override or
// call option) has a retry or hedge policy run their attempts here; the rest pass straight through.
import type { StreamResponse, Transport } from "@connectrpc/connect";
import type { DescMessage, DescMethodStreaming, MessageInitShape } from "@bufbuild/protobuf";
import type { TransportLayer } from "../layer.js";
import { deadlineOf } from "../../transport/deadline-timer.js";
import { callPolicyOf } from "./call-policy.js";
import { perCallReplayBytes, perChannelReplayBytes, type AttemptState } from "./attempt-state.js";
import { streamAttempts, unaryAttempts } from "./attempt-call.js";
import { createReplayInput } from "./replay-input.js";
import { runRetries } from "./retry-run.js";
import { runHedged } from "./hedge-run.js";
import type { HedgePolicy } from "../method-policy.js";

const always = (): boolean => true;
const nothing = (): void => {};

/** `<service>/<method>` of each method seen, so a hedged call does not build the key string again. */
const methodKeys = new WeakMap<object, string>();

/** The method's adaptive-delay estimator when the hedge policy has one (no allocation once it exists). */
function estimatorFor(state: AttemptState, method: { readonly parent: { readonly typeName: string }; readonly name: string }, hedge: HedgePolicy) {
  const adaptive = hedge.adaptiveDelay;
  if (adaptive === undefined) return undefined;
  let key = methodKeys.get(method);
  if (key === undefined) {
    key = `${method.parent.typeName}/${method.name}`;
    methodKeys.set(method, key);
  }
  return state.estimator(key, adaptive, hedge.hedgingDelayMs);
}

/**
 * The layer that retries (gRFC A6) or hedges calls, sharing `state` — the channel's budget, replay
 * bound and latency estimates — with every other client on the same channel. Request streams are
 * buffered for replay up to 1 MiB per call and 16 MiB per channel; past that a call is not retried.
 *
 * @example
 * ```ts
 * const pipeline = composePipeline(channel, [policyLayer(resolved), defaultsLayer, attemptLayer(attemptStateOf(channel))]);
 * ```
 */
export function attemptLayer(state: AttemptState): TransportLayer {
  return (next: Transport): Transport => ({
    unary(method, signal, givenTimeoutMs, header, input, contextValues) {
      let policy;
      try {
        policy = callPolicyOf(contextValues);
      } catch (error) {
        return Promise.reject(error);
      }
      if (policy.retry === undefined && policy.hedge === undefined) {
        return next.unary(method, signal, givenTimeoutMs, header, input, contextValues);
      }
      const timeoutMs = deadlineOf(givenTimeoutMs);
      const attempts = unaryAttempts(next, method, header, input, contextValues);
      // One object per call, not a shared part spread into another: this runs on every hedged call.
      return policy.retry !== undefined
        ? runRetries({ state, signal, timeoutMs, replayable: always, release: nothing, streaming: false, policy: policy.retry }, attempts)
        : runHedged(
            { state, signal, timeoutMs, replayable: always, release: nothing, streaming: false, policy: policy.hedge!, estimator: estimatorFor(state, method, policy.hedge!) },
            attempts,
          );
    },
    async stream<I extends DescMessage, O extends DescMessage>(
      ...[method, signal, givenTimeoutMs, header, input, contextValues]: Parameters<Transport["stream"]>
    ): Promise<StreamResponse<I, O>> {
      const policy = callPolicyOf(contextValues);
      if (policy.retry === undefined && policy.hedge === undefined) {
        return next.stream(method, signal, givenTimeoutMs, header, input, contextValues) as unknown as StreamResponse<I, O>;
      }
      const timeoutMs = deadlineOf(givenTimeoutMs);
      const replay = createReplayInput(method.input, input as AsyncIterable<MessageInitShape<DescMessage>>, state, perCallReplayBytes, perChannelReplayBytes);
      const attempts = streamAttempts(next, method as DescMethodStreaming, header, replay, contextValues);
      const common = { state, signal, timeoutMs, replayable: () => replay.replayable, release: () => replay.release(), streaming: true };
      const response: Promise<StreamResponse<DescMessage, DescMessage>> =
        policy.retry !== undefined
          ? runRetries({ ...common, policy: policy.retry }, attempts)
          : runHedged({ ...common, policy: policy.hedge!, estimator: estimatorFor(state, method, policy.hedge!) }, attempts);
      return response as unknown as StreamResponse<I, O>;
    },
  });
}

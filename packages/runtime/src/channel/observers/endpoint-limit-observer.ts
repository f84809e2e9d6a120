// The endpoint-limit observer: each call attempt takes a place under its endpoint's client-side
// concurrency limit and, when it ends, tells the limit algorithm how it went.
import { Code } from "@connectrpc/connect";
import type { CallObserver, ObservedCall } from "../call-observer.js";
import type { Subchannel } from "../subchannel.js";
import type { Token } from "../../limit/limiter.js";

/**
 * Creates the observer; `onRelease` runs when a place frees up (calls waiting for an endpoint
 * under its limit look again). Outcomes: a success or an answer about the request (NOT_FOUND, …)
 * is a latency sample; DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED and UNAVAILABLE say the endpoint is
 * overloaded (the limit backs off); a call the caller cancelled is ignored.
 *
 * @private
 */
export function createEndpointLimitObserver(onRelease: () => void): CallObserver<Subchannel> {
  const tokens = new WeakMap<ObservedCall<Subchannel>, Token>();
  return {
    onCallStart(call) {
      const token = call.endpoint.acquireLimit();
      if (token !== undefined) tokens.set(call, token);
    },
    onCallEnd(call, outcome) {
      const token = tokens.get(call);
      if (token === undefined) return;
      tokens.delete(call);
      const rtt = outcome.endedAt - call.startedAt;
      const code = outcome.error?.code;
      if (outcome.canceledByCaller) token.ignore();
      else if (code === Code.DeadlineExceeded || code === Code.ResourceExhausted || code === Code.Unavailable) token.dropped(rtt);
      else token.success(rtt);
      onRelease();
    },
  };
}

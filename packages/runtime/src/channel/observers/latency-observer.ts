// The latency observer: feeds each endpoint's peak-EWMA and failure share, which the peak-EWMA
// and least-request pickers read. Streams count only up to their response headers.
import { Code } from "@connectrpc/connect";
import type { CallObserver } from "../call-observer.js";
import type { Subchannel } from "../subchannel.js";

/**
 * Codes by which an endpoint fails a call (it is down, overloaded or broken), as opposed to answers
 * about the request (NOT_FOUND, INVALID_ARGUMENT, …) that say nothing about the endpoint's health.
 */
export const endpointFailureCodes: ReadonlySet<Code> = new Set([
  Code.Unavailable,
  Code.ResourceExhausted,
  Code.Internal,
  Code.Unknown,
  Code.DataLoss,
]);

/**
 * Records one latency sample and one outcome per call attempt: a unary call's whole latency; a
 * stream's time to its response headers (at most its time to the first message) — never a stream's
 * whole lifetime, which says how long the caller listened, not how fast the endpoint is. A stream
 * that failed before its headers records its time to the failure; a call the caller cancelled
 * before any answer records nothing. A failure (see {@link endpointFailureCodes}) raises
 * the endpoint's failure share, so an endpoint that fails fast does not look fast.
 *
 * @private
 */
export const latencyObserver: CallObserver<Subchannel> = {
  onCallEnd(call, outcome) {
    const answeredAt = call.kind === "stream" ? (call.headersAt ?? call.firstMessageAt) : undefined;
    if (outcome.canceledByCaller && answeredAt === undefined) return;
    call.endpoint.recordLatency((answeredAt ?? outcome.endedAt) - call.startedAt);
    const error = outcome.error;
    call.endpoint.recordOutcome(error !== undefined && !outcome.canceledByCaller && endpointFailureCodes.has(error.code));
  },
};

// Where a shed call's time goes: the overload server stamps its 'stream' event and its respond on
// each shed answer (a response header), so the load generator can split its time to reject.
import type { Http2Server, IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from "node:http2";

/** Response header carrying `<stream event>,<respond>` wall-clock stamps (ms) of a shed call. */
export const REJECT_STAMPS_HEADER = "bench-reject-stamps";

/** RESOURCE_EXHAUSTED, the status of a shed answer. */
const SHED_STATUS = "8";

/** Wall-clock ms comparable across the processes of one machine. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Times every shed answer of `server`: a listener placed before every other 'stream' listener
 * (so before admission) notes when node raised the 'stream' event, and the shed's `respond` passes
 * `onShed` the server-side reject time (ms from that event to the respond) and, when `header` is
 * set, adds both stamps as {@link REJECT_STAMPS_HEADER}.
 */
export function timeShedAnswers(server: Http2Server, header: boolean, onShed: (serverRejectMs: number) => void): void {
  server.prependListener("stream", (stream: ServerHttp2Stream) => {
    const streamAt = wallClockMs();
    const respond = stream.respond;
    stream.respond = function (this: ServerHttp2Stream, headers?: OutgoingHttpHeaders, options?: Parameters<ServerHttp2Stream["respond"]>[1]) {
      if (headers?.["grpc-status"] === SHED_STATUS) {
        const respondAt = wallClockMs();
        onShed(respondAt - streamAt);
        // A copy: the shed answer's headers object is shared by a burst of sheds (shed-response.ts).
        if (header) return respond.call(this, { ...headers, [REJECT_STAMPS_HEADER]: `${streamAt.toFixed(3)},${respondAt.toFixed(3)}` }, options);
      }
      return respond.call(this, headers, options);
    };
  });
}

/** A shed call's stamps, wall-clock ms, in the order they happen. */
export interface RejectStamps {
  /** The load generator asked for the call. */
  readonly calledAt: number;
  /** The load generator opened its stream (later than `calledAt` if it waited for a stream slot). */
  readonly requestedAt: number;
  /** The server's 'stream' event. */
  readonly serverStreamAt: number;
  /** The server's respond with the shed answer. */
  readonly serverRespondAt: number;
  /** The load generator's 'response' event with the status. */
  readonly receivedAt: number;
}

/** Receives a shed call's stamps (wall-clock ms, the fields of {@link RejectStamps} in order) as plain numbers: no object per call. */
export type RejectStampSink = (calledAt: number, requestedAt: number, serverStreamAt: number, serverRespondAt: number, receivedAt: number) => void;

/** The server's stamps from a shed answer's headers, or undefined when it carries none. */
export function serverStampsOf(headers: IncomingHttpHeaders): readonly [number, number] | undefined {
  const value = headers[REJECT_STAMPS_HEADER];
  if (typeof value !== "string") return undefined;
  const comma = value.indexOf(",");
  const streamAt = comma < 0 ? NaN : Number(value.slice(0, comma));
  const respondAt = comma < 0 ? NaN : Number(value.slice(comma + 1));
  return Number.isFinite(streamAt) && Number.isFinite(respondAt) ? [streamAt, respondAt] : undefined;
}

// Call observers: see every call's start and end on a channel (kind, endpoint, code, latency, time
// to first message, headers and trailers). Load accounting, outlier detection, and metrics plug in here.
import type { ConnectError } from "@connectrpc/connect";
import type { DescMethod } from "@bufbuild/protobuf";

/** What an observer sees of the endpoint a call went to. */
export interface ObservedEndpoint {
  /** `host:port`. */
  readonly address: string;
  /** The endpoint's weight from the resolver. */
  readonly weight: number;
  /** The endpoint's metadata from the resolver. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** One call attempt on one endpoint, as observers see it. The same object reaches start and end. */
export interface ObservedCall<E extends ObservedEndpoint = ObservedEndpoint> {
  /** `"unary"`, or `"stream"` for the three streaming shapes. */
  readonly kind: "unary" | "stream";
  readonly method: DescMethod;
  readonly endpoint: E;
  /** When the attempt started, on the channel's clock (ms). */
  readonly startedAt: number;
  /** When the response headers arrived (streams only), or `undefined`. */
  readonly headersAt: number | undefined;
  /** When the first response message arrived (streams only), or `undefined`. */
  readonly firstMessageAt: number | undefined;
}

/** How a call attempt ended. */
export interface CallOutcome {
  /** `undefined` for success, else the error the caller sees (a ConnectError). */
  readonly error: ConnectError | undefined;
  /** When it ended, on the channel's clock (ms). */
  readonly endedAt: number;
  /** True when the caller cancelled (its signal aborted, or it left the stream early). */
  readonly canceledByCaller: boolean;
  /** Response headers, when the server answered. */
  readonly header: Headers | undefined;
  /** Response trailers, when the call got that far. */
  readonly trailer: Headers | undefined;
}

/**
 * Sees every call attempt on a channel. Both methods run synchronously on the call's path: keep
 * them cheap and never throw (a throwing observer is reported to `console.error` once and the call
 * goes on).
 */
export interface CallObserver<E extends ObservedEndpoint = ObservedEndpoint> {
  onCallStart?(call: ObservedCall<E>): void;
  onCallEnd?(call: ObservedCall<E>, outcome: CallOutcome): void;
}

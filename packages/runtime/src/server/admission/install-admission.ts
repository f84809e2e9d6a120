// Hooks admission into an HTTP/2 server: every 'stream' listener the server has (the fast path, or
// node's compatibility layer feeding Connect's adapter) runs only for admitted calls; shed calls
// are answered before their body is read, and admitted ones report their outcome and get the
// `sluice-load` load report in their trailers.
import { constants, type Http2Server, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { Code } from "@connectrpc/connect";
import { loadReportHeader } from "../../limit/load-report-format.js";
import type { Admission, AdmissionController, AdmissionRequest, AdmissionTicket, CallOutcome } from "./admission-controller.js";
import { resetStream } from "../../transport/reset-stream.js";
import { sendShed, wireProtocol, type WireProtocol } from "./shed-response.js";

type StreamListener = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) => void;

/** How a gRPC status code counts for the limiters. @private */
export function outcomeOfCode(code: number | undefined): CallOutcome {
  if (code === undefined) return "ignore"; // reset or cancelled before a status: no latency to learn from
  return code === Code.DeadlineExceeded ? "dropped" : "success";
}

/** What {@link track} keeps of one admitted call, on its stream. */
interface Tracked {
  readonly protocol: WireProtocol;
  readonly streaming: boolean;
  readonly ticket: AdmissionTicket;
  readonly controller: AdmissionController;
  /** The stream's own `respond` and `sendTrailers` before tracking. */
  readonly respond: ServerHttp2Stream["respond"];
  readonly sendTrailers: ServerHttp2Stream["sendTrailers"];
  code: number | undefined;
  finished: boolean;
}

const trackedKey = Symbol("sluice admission tracking");

type TrackedStream = ServerHttp2Stream & { [trackedKey]?: Tracked };

function finishTracked(t: Tracked, answered: number | undefined): void {
  if (t.finished) return;
  t.finished = true;
  t.ticket.finish(t.streaming ? "ignore" : outcomeOfCode(answered), answered !== undefined && answered !== 0);
}

function trackedRespond(this: TrackedStream, headers?: OutgoingHttpHeaders, options?: Parameters<ServerHttp2Stream["respond"]>[1]): void {
  const t = this[trackedKey] as Tracked;
  if (headers !== undefined) {
    if (t.protocol === "connect-unary") {
      const status = Number(headers[":status"] ?? 200);
      t.code = status === 200 ? 0 : status === 504 ? Code.DeadlineExceeded : Code.Unknown;
      const report = t.controller.loadReport();
      if (report !== undefined) headers[`trailer-${loadReportHeader}`] = report;
    } else if (options?.endStream === true && headers["grpc-status"] !== undefined) {
      t.code = Number(headers["grpc-status"]);
      const report = t.controller.loadReport();
      if (report !== undefined) headers[loadReportHeader] = report;
    }
  }
  t.respond.call(this, headers, options);
  if (t.code !== undefined) finishTracked(t, t.code);
  // A unary gRPC answer with a message: the handler's work is done when its headers go out (an
  // error would have been Trailers-Only). Its OK status follows in the trailers, which node asks
  // for one send cycle of the session later (tens of ms on a busy server): the slot frees now, as
  // a Connect unary answer's does.
  else if (t.protocol === "grpc" && !t.streaming && headers !== undefined && Number(headers[":status"] ?? 200) === 200 && options?.endStream !== true) finishTracked(t, 0);
}

function trackedSendTrailers(this: TrackedStream, trailers: OutgoingHttpHeaders): void {
  const t = this[trackedKey] as Tracked;
  if (trailers?.["grpc-status"] !== undefined) {
    t.code = Number(trailers["grpc-status"]);
    const report = t.controller.loadReport();
    if (report !== undefined) trailers[loadReportHeader] = report;
  }
  t.sendTrailers.call(this, trailers);
  if (t.code !== undefined) finishTracked(t, t.code);
}

function onTrackedClose(this: TrackedStream): void {
  const t = this[trackedKey] as Tracked;
  // gRPC-Web and Connect streaming carry their status in the body, out of sight here: a stream
  // that closed cleanly after its response went out counts as answered.
  // (A ticket already finished when its status went out is not finished again.)
  finishTracked(t, t.code ?? (this.headersSent && this.rstCode === constants.NGHTTP2_NO_ERROR ? 0 : undefined));
}

/**
 * Replaces `stream.respond` and `stream.sendTrailers` of one admitted call to learn its status and
 * add the load report, and finishes its ticket as soon as the status goes out (the handler's work is
 * done: its slot frees then, not a write flush later when the stream closes), for a unary gRPC
 * answer with a message as soon as its headers go out (its OK status comes in trailers node asks
 * for later), or when the stream closes without one seen here. Streaming calls (per `isStreaming`) hold a slot but give no latency
 * sample. The replacements are shared functions that find the call's state on the stream: closures
 * per call, stored on the stream, made each call's stream and everything it holds survive young-
 * generation GCs (shed-cost: 4.1 KB per admitted call survived a scavenge, against 0.1 KB untracked).
 */
function track(stream: ServerHttp2Stream, protocol: WireProtocol, streaming: boolean, ticket: AdmissionTicket, controller: AdmissionController): void {
  const tracked = stream as TrackedStream;
  tracked[trackedKey] = { protocol, streaming, ticket, controller, respond: stream.respond, sendTrailers: stream.sendTrailers, code: undefined, finished: false };
  tracked.respond = trackedRespond;
  tracked.sendTrailers = trackedSendTrailers;
  tracked.on("close", onTrackedClose);
}

/** Swallows a stream's error: one shared listener, not a closure per call. */
function ignoreStreamError(): void {}

/**
 * What the admission controller sees of one stream: a single object per call whose methods live on
 * the prototype, so a shed call costs no closures; the peer address and the abort signal (only a
 * queued call needs one) are looked up when asked for.
 */
class StreamAdmissionRequest implements AdmissionRequest {
  private left: AbortController | undefined;
  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly headers: IncomingHttpHeaders,
    readonly path: string,
  ) {}

  header(name: string): string | undefined {
    const value = this.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }

  get peer(): string | undefined {
    return this.stream.session?.socket?.remoteAddress;
  }

  get signal(): AbortSignal {
    if (this.left === undefined) {
      const abort = new AbortController();
      this.stream.once("close", () => abort.abort());
      this.left = abort;
    }
    return this.left.signal;
  }
}

/** Options of {@link installAdmission}. @private */
export interface InstallAdmissionOptions {
  /** Whether the method at `path` streams (its duration is then no latency sample). */
  readonly isStreaming: (path: string) => boolean;
}

/**
 * Puts `controller` in front of every 'stream' listener `server` has now. Call it after the server
 * is created and before it listens.
 * @private
 */
export function installAdmission(server: Http2Server, controller: AdmissionController, options: InstallAdmissionOptions): void {
  const inner = server.listeners("stream") as StreamListener[];
  server.removeAllListeners("stream");
  const dispatch: StreamListener = (stream, headers, flags, rawHeaders) => {
    for (const listener of inner) listener.call(server, stream, headers, flags, rawHeaders);
  };
  const run = (admission: Admission, stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]): void => {
    if (admission.shed !== undefined) {
      sendShed(stream, headers, admission.shed, controller.loadReport(true));
      return;
    }
    if (stream.destroyed || stream.closed) {
      admission.ticket.finish("ignore", false); // the client left while the call waited in a queue
      return;
    }
    const path = headers[":path"] as string;
    track(stream, wireProtocol(headers["content-type"]), options.isStreaming(path), admission.ticket, controller);
    dispatch(stream, headers, flags, rawHeaders);
  };
  server.on("stream", (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) => {
    const path = headers[":path"];
    if (typeof path !== "string" || controller.exempt(path)) return dispatch(stream, headers, flags, rawHeaders);
    stream.on("error", ignoreStreamError); // a reset while the call waits must not take the process down
    const admission = controller.admit(new StreamAdmissionRequest(stream, headers, path));
    if ("then" in admission) {
      admission.then((a) => run(a, stream, headers, flags, rawHeaders), () => resetStream(stream, constants.NGHTTP2_INTERNAL_ERROR));
    } else {
      run(admission, stream, headers, flags, rawHeaders);
    }
  });
}

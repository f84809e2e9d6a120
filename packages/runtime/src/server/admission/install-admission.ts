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

/**
 * Wraps `stream.respond` and `stream.sendTrailers` of one admitted call to learn its status and add
 * the load report, and finishes its ticket as soon as the status goes out (the handler's work is
 * done: its slot frees then, not a write flush later when the stream closes), or when the stream
 * closes without one seen here. Streaming calls (per `isStreaming`) hold a slot but give no latency sample.
 */
function track(stream: ServerHttp2Stream, protocol: WireProtocol, streaming: boolean, ticket: AdmissionTicket, controller: AdmissionController): void {
  let code: number | undefined;
  let finished = false;
  const finish = (answered: number | undefined): void => {
    if (finished) return;
    finished = true;
    ticket.finish(streaming ? "ignore" : outcomeOfCode(answered), answered !== undefined && answered !== 0);
  };
  const respond = stream.respond;
  stream.respond = function (this: ServerHttp2Stream, headers?: OutgoingHttpHeaders, options?: Parameters<ServerHttp2Stream["respond"]>[1]) {
    if (headers !== undefined) {
      if (protocol === "connect-unary") {
        const status = Number(headers[":status"] ?? 200);
        code = status === 200 ? 0 : status === 504 ? Code.DeadlineExceeded : Code.Unknown;
        const report = controller.loadReport();
        if (report !== undefined) headers[`trailer-${loadReportHeader}`] = report;
      } else if (options?.endStream === true && headers["grpc-status"] !== undefined) {
        code = Number(headers["grpc-status"]);
        const report = controller.loadReport();
        if (report !== undefined) headers[loadReportHeader] = report;
      }
    }
    respond.call(this, headers, options);
    if (code !== undefined) finish(code);
  };
  const sendTrailers = stream.sendTrailers;
  stream.sendTrailers = function (this: ServerHttp2Stream, trailers: OutgoingHttpHeaders) {
    if (trailers?.["grpc-status"] !== undefined) {
      code = Number(trailers["grpc-status"]);
      const report = controller.loadReport();
      if (report !== undefined) trailers[loadReportHeader] = report;
    }
    sendTrailers.call(this, trailers);
    if (code !== undefined) finish(code);
  };
  stream.once("close", () => {
    // gRPC-Web and Connect streaming carry their status in the body, out of sight here: a stream
    // that closed cleanly after its response went out counts as answered.
    // (A ticket already finished when its status went out is not finished again.)
    finish(code ?? (stream.headersSent && stream.rstCode === constants.NGHTTP2_NO_ERROR ? 0 : undefined));
  });
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

// A streaming call (server, client or bidi) over the gRPC or Connect protocol on the fast path: a
// hand-written async iterator over a bounded queue (the HTTP/2 stream pauses when it fills), an input
// pump with backpressure, and deadline, cancellation and early `return()` closing the stream with CANCEL.
import type { ClientHttp2Stream, IncomingHttpHeaders } from "node:http2";
import type { DescMessage, DescMethodStreaming, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type StreamResponse } from "@connectrpc/connect";
import type { SluiceConnection } from "./endpoint-connection.js";
import { createEnvelopeParser, flagCompressed, flagEndStream } from "./envelope.js";
import { toWebHeaders, type HeadersInit } from "./node-headers.js";
import { defineLazyStreamHeader } from "./lazy-stream-header.js";
import { h2 } from "./node-errors.js";
import { parserFor, serializeEnvelope, type CodecOptions } from "./codec.js";
import { requestHeaders } from "./request-headers.js";
import { abortError, closeError, deadlineError } from "./unary-exchange.js";
import { grpcHeaderProblem, statusError } from "./grpc-unary.js";
import { connectStreamEnd, connectStreamHeaderError } from "./connect-stream-wire.js";
import type { FastProtocol } from "./request-headers.js";
import { armDeadline } from "./deadline-timer.js";
import { resetStream } from "./reset-stream.js";
import { markUnprocessed, nodeSaysUnsent } from "./unprocessed.js";
import { notReady, takeReady, type ReadySource } from "../call/ready-values.js";
import { EndWatchers, watchEnd, type EndWatchable } from "../call/end-watch.js";
import { RingQueue } from "../call/ring-queue.js";

/** Messages buffered before the HTTP/2 stream is paused. */
const highWaterMark = 32;

/** Runs one streaming call on `connection`; resolves once the response headers arrived. @private */
export async function streamingCall<I extends DescMessage, O extends DescMessage>(
  protocol: FastProtocol,
  connection: SluiceConnection,
  method: DescMethodStreaming<I, O>,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
  header: HeadersInit | undefined,
  input: AsyncIterable<MessageInitShape<I>>,
  options: CodecOptions,
): Promise<StreamResponse<I, O>> {
  if (signal?.aborted === true) throw abortError(signal);
  const grpc = protocol === "grpc";
  const headers = requestHeaders(protocol, method, timeoutMs, header);
  // A server-streaming call has exactly one request: read it first, so a stream the server never
  // accepted can be sent again.
  let single: Buffer | undefined;
  if (method.methodKind === "server_streaming") {
    const it = input[Symbol.asyncIterator]();
    const first = await it.next();
    if (first.done === true) throw new ConnectError("protocol error: missing request message", Code.Internal);
    single = serializeEnvelope(method.input, first.value, options);
  }
  const trailer = new Headers();
  /**
   * Received messages not yet read. Its slots are kept between frames (a frame's messages are all
   * parsed at once, and the reader takes them all before the next frame): an array emptied and grown
   * again for every frame cost allocations that, with many streams, survived scavenges.
   */
  const queue = new RingQueue<MessageShape<O>>(Number.MAX_SAFE_INTEGER);
  let waiting: { resolve: (r: IteratorResult<MessageShape<O>>) => void; reject: (e: unknown) => void } | undefined;
  let finished = false;
  let failure: ConnectError | undefined;
  let stream: ClientHttp2Stream | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  let head: { resolve: (h: IncomingHttpHeaders) => void; reject: (e: unknown) => void } | undefined;
  /** Wrappers told when the reader is handed the end or a failure (end-watch.ts). */
  const endWatchers = new EndWatchers();
  const headPromise = new Promise<IncomingHttpHeaders>((resolve, reject) => (head = { resolve, reject }));

  const cleanup = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
    onAbort = undefined;
  };
  /** Ends the call: with `error`, or cleanly when undefined. */
  const finish = (error: ConnectError | undefined): void => {
    if (finished) return;
    finished = true;
    failure = error;
    cleanup();
    if (error !== undefined && stream !== undefined) resetStream(stream, h2.CANCEL);
    if (head !== undefined) {
      const h = head;
      head = undefined;
      h.reject(error ?? new ConnectError("protocol error: stream ended without headers", Code.Internal));
    }
    if (waiting !== undefined && queue.length === 0) {
      const w = waiting;
      waiting = undefined;
      if (error !== undefined) {
        failure = undefined;
        w.reject(endWatchers.fail(error));
      } else {
        endWatchers.end();
        w.resolve({ done: true, value: undefined });
      }
    }
  };
  const deliver = (message: MessageShape<O>): void => {
    if (waiting !== undefined) {
      const w = waiting;
      waiting = undefined;
      w.resolve({ done: false, value: message });
      return;
    }
    queue.push(message);
    if (queue.length >= highWaterMark) stream?.pause();
  };

  /** Whether any request message was taken from `input` (a call that took none can be sent again). */
  let pulled = false;
  const attempt = (retried: boolean): void => {
    let s: ClientHttp2Stream;
    try {
      s = connection.request(headers);
    } catch (error) {
      const reason = ConnectError.from(error, Code.Unavailable);
      finish(reason.code === Code.Unavailable ? markUnprocessed(reason) : reason);
      return;
    }
    stream = s;
    const parser = createEnvelopeParser(options.readMaxBytes);
    const parse = parserFor(method.output, options);
    let responseHeaders: IncomingHttpHeaders | undefined;
    /** The call's status once it arrived (gRPC trailers or trailers-only headers, Connect's end-of-stream message). */
    let end: { readonly error: ConnectError | undefined } | undefined;
    let streamError: unknown;
    let ended = false;
    s.on("response", (raw) => {
      responseHeaders = raw;
      const error = grpc ? grpcHeaderError(raw) : connectStreamHeaderError(raw);
      if (error !== undefined) {
        finish(error);
        return;
      }
      // gRPC trailers-only: the status is in the headers.
      if (grpc && raw["grpc-status"] !== undefined) end = { error: undefined };
      const h = head;
      head = undefined;
      h?.resolve(raw);
    });
    /** Takes one response envelope: a message, or Connect's end-of-stream message. */
    const onEnvelope = (flags: number, bytes: Uint8Array, offset: number, length: number): void => {
      // Only Connect's in-band end message orders data after the status: node emits gRPC
      // 'trailers' on arrival, before DATA still buffered in a paused stream.
      if (!grpc && end !== undefined) {
        throw new ConnectError("protocol error: received extra message after EndStreamResponse", Code.InvalidArgument);
      }
      if (!grpc && (flags & flagEndStream) !== 0) {
        end = connectStreamEnd(bytes.subarray(offset, offset + length), responseHeaders, trailer);
        return;
      }
      if ((flags & flagCompressed) !== 0) {
        throw new ConnectError(`protocol error: received compressed output without ${grpc ? "grpc-encoding" : "connect-content-encoding"}`, Code.Internal);
      }
      deliver(parse(bytes, offset, length));
    };
    s.on("data", (chunk: Buffer) => {
      if (finished) return;
      try {
        parser.each(chunk, onEnvelope);
      } catch (error) {
        finish(ConnectError.from(error));
      }
    });
    s.on("trailers", (raw) => {
      if (!grpc) return;
      toWebHeaders(raw).forEach((value, key) => trailer.append(key, value));
      if (raw["grpc-status"] !== undefined) end = { error: statusError(raw, responseHeaders) };
    });
    s.on("error", (error) => {
      streamError = error;
    });
    s.on("end", () => {
      ended = true;
      // The status has arrived: the call is over even if our side of the stream is still open;
      // close it so the input pump stops.
      if (finished || responseHeaders === undefined || end === undefined) return;
      finish(parser.pending > 0 ? incomplete() : end.error);
      if (!s.writableFinished) resetStream(s, h2.NO_ERROR);
    });
    s.on("close", () => {
      if (finished) return;
      const rst = s.rstCode ?? 0;
      if (responseHeaders === undefined && rst === h2.REFUSED_STREAM && !retried && single !== undefined) {
        // Refused by this session (a GOAWAY, a stream limit): once more on a fresh session.
        attempt(true);
        return;
      }
      if (responseHeaders === undefined && (rst === h2.REFUSED_STREAM || nodeSaysUnsent(streamError)) && !pulled) {
        // Never accepted by the server and no request message lost: the channel may send it again.
        finish(markUnprocessed(closeError(rst, streamError, connection.authority)));
        return;
      }
      if (end !== undefined) {
        finish(parser.pending > 0 ? incomplete() : end.error);
      } else if (ended && responseHeaders !== undefined && rst === h2.NO_ERROR && streamError === undefined) {
        // The server ended the stream without a status; a stream cut short (no 'end') falls through
        // to UNAVAILABLE.
        finish(grpc ? new ConnectError("protocol error: missing status", Code.Internal) : new ConnectError("protocol error: missing EndStreamResponse", Code.InvalidArgument));
      } else {
        finish(closeError(rst, streamError, connection.authority));
      }
    });
    if (single !== undefined) {
      s.end(single);
    } else {
      void pump(s);
    }
  };

  const pump = async (s: ClientHttp2Stream): Promise<void> => {
    try {
      for await (const message of input) {
        pulled = true;
        if (finished || s.destroyed || s.writableEnded) return;
        if (!s.write(serializeEnvelope(method.input, message, options))) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              s.off("drain", done);
              s.off("close", done);
              resolve();
            };
            s.on("drain", done);
            s.on("close", done);
          });
        }
      }
      if (!s.destroyed && !s.writableEnded) s.end();
    } catch (error) {
      finish(ConnectError.from(error));
    }
  };

  if (timeoutMs !== undefined) timer = armDeadline(() => finish(deadlineError()), timeoutMs);
  if (signal !== undefined) {
    onAbort = () => finish(abortError(signal));
    signal.addEventListener("abort", onAbort);
  }
  attempt(false);
  const raw = await headPromise;

  /** The first queued message, resuming the stream once the queue is down to half its mark. */
  const takeQueued = (): MessageShape<O> => {
    const value = queue.shift() as MessageShape<O>;
    if (queue.length === highWaterMark >> 1 && stream?.isPaused() === true) stream.resume();
    return value;
  };
  const iterator: AsyncIterator<MessageShape<O>> & ReadySource & EndWatchable = {
    next() {
      if (queue.length > 0) return Promise.resolve({ done: false, value: takeQueued() });
      if (stream?.isPaused() === true) stream.resume();
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        return Promise.reject(endWatchers.fail(error));
      }
      if (finished) {
        endWatchers.end();
        return Promise.resolve({ done: true, value: undefined });
      }
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
    // A message already received is handed over without a promise (see ready-values.ts).
    [takeReady]() {
      return queue.length > 0 ? takeQueued() : notReady;
    },
    // The end and a failure are reported to the wrappers above (tracked, cancelable) where they are
    // handed out, so those pass each message's promise on without a reaction of their own.
    [watchEnd](watcher) {
      return endWatchers.add(watcher);
    },
    return() {
      if (!finished) {
        finish(undefined);
        if (stream !== undefined) resetStream(stream, h2.CANCEL);
      }
      queue.clear();
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  // The header becomes fetch Headers only when read (lazy-stream-header.ts).
  return defineLazyStreamHeader(
    {
      stream: true as const,
      service: method.parent,
      method,
      trailer,
      message: { [Symbol.asyncIterator]: () => iterator },
    },
    raw,
  );
}

/** What is wrong with gRPC response headers, if anything (a trailers-only error included). */
function grpcHeaderError(raw: IncomingHttpHeaders): ConnectError | undefined {
  return grpcHeaderProblem(raw) ?? (raw["grpc-status"] !== undefined ? statusError(raw, undefined) : undefined);
}

function incomplete(): ConnectError {
  return new ConnectError("protocol error: incomplete envelope", Code.Internal);
}

// gRPC server streaming on the fast path: one request message, then the handler's async iterable
// written as framed messages with backpressure (small ones batched per turn by message-pump.ts,
// large ones behind their prefix in one corked write, never copied together); status in the
// trailers (trailers-only when the handler fails before its first message); client cancel and
// deadline abort the handler's signal.
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { type BinaryReadOptions, type BinaryWriteOptions, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type ContextValues } from "@connectrpc/connect";
import { parseGrpcTimeout } from "../../internals/private-apis.js";
import { envelopePrefix, tooLargeError } from "../../transport/envelope.js";
import { parse } from "../../transport/codec.js";
import { armDeadline } from "../../transport/deadline-timer.js";
import { FastContext, requestUrl } from "./fast-context.js";
import type { FastMethod } from "./method-table.js";
import { pumpMessages } from "./message-pump.js";
import { encodeShared } from "../../hub/shared-encoding.js";
import { declaredLength, unwrapUnary } from "./request-body.js";
import { encodeWithLargeBytes, type EncodedChunks } from "./large-bytes.js";
import { addHeaders, grpcProtoContentType, grpcStatusFields, respondSafely, sendGrpcError, toConnectError } from "./responses.js";

/** Settings of {@link serveServerStream}. @private */
export interface ServerStreamOptions {
  readonly binaryOptions?: Partial<BinaryReadOptions & BinaryWriteOptions>;
  readonly readMaxBytes: number;
  readonly writeMaxBytes: number;
  readonly maxTimeoutMs?: number;
  readonly shutdownSignal?: AbortSignal;
  /** The call's initial context values, made when the handler first reads them. */
  readonly contextValues?: () => ContextValues;
  readonly serialize: (schema: DescMessage, output: unknown) => Uint8Array;
}

/** Serves one gRPC server-streaming call. @private */
export function serveServerStream(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  entry: FastMethod,
  options: ServerStreamOptions,
): void {
  const timeout = parseGrpcTimeout((headers["grpc-timeout"] as string | undefined) ?? null, options.maxTimeoutMs ?? Number.MAX_SAFE_INTEGER);
  let closed = false;
  let ended = false;
  let context: FastContext | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let iterator: AsyncIterator<unknown> | undefined;
  let wake: (() => void) | undefined;
  const chunks: Buffer[] = [];
  let size = 0;

  let headersSent = false;
  /** Ends the handler; on a deadline also completes the response at once with DEADLINE_EXCEEDED. */
  const stop = (reason: ConnectError): void => {
    if (timer !== undefined) clearTimeout(timer);
    if (reason.code === Code.DeadlineExceeded && !ended && !closed) {
      ended = true;
      if (!headersSent) {
        sendGrpcError(stream, reason, context?.responseHeaderIfAny, context?.responseTrailerIfAny);
      } else {
        const trailers = grpcStatusFields(reason, context?.responseTrailerIfAny);
        stream.once("wantTrailers", () => stream.sendTrailers(trailers));
        stream.end();
      }
    }
    context?.abort(reason);
    void iterator?.return?.().catch(() => {});
    wake?.();
  };
  stream.on("error", () => {});
  stream.on("close", () => {
    closed = true;
    if (!ended) stop(new ConnectError("client closed the stream", Code.Canceled));
    context?.release();
  });
  if (timeout.error !== undefined) {
    ended = true;
    sendGrpcError(stream, timeout.error);
    return;
  }
  let prefixChecked = false;
  const reject = (error: ConnectError): void => {
    ended = true;
    sendGrpcError(stream, error);
    setImmediate(() => !stream.destroyed && stream.close(0));
  };
  stream.on("data", (chunk: Buffer) => {
    if (ended) return;
    size += chunk.byteLength;
    if (size > options.readMaxBytes + 5) {
      reject(tooLargeError(size - 5, options.readMaxBytes));
      return;
    }
    chunks.push(chunk);
    if (!prefixChecked && size >= 5) {
      // Checked before half-close: a client may declare a huge message and keep the stream open.
      prefixChecked = true;
      const length = declaredLength(chunks, size) as number;
      if (length > options.readMaxBytes) reject(tooLargeError(length, options.readMaxBytes));
    }
  });
  stream.on("end", () => {
    if (ended) return;
    let message: unknown;
    try {
      message = parse(entry.method.input, unwrapUnary(Buffer.concat(chunks, size), options.readMaxBytes), options);
    } catch (error) {
      ended = true;
      sendGrpcError(stream, toConnectError(error));
      return;
    }
    const ctx = new FastContext(
      entry.method,
      entry.service,
      "grpc",
      requestUrl(headers),
      headers,
      timeout.timeoutMs,
      options.shutdownSignal,
      options.contextValues,
    );
    context = ctx;
    if (timeout.timeoutMs !== undefined) {
      timer = armDeadline(() => stop(new ConnectError("the operation timed out", Code.DeadlineExceeded)), timeout.timeoutMs);
    }
    void run(message, ctx);
  });

  const run = async (message: unknown, ctx: FastContext): Promise<void> => {
    let failure: ConnectError | undefined;
    try {
      const output = (entry.impl as (input: unknown, context: FastContext) => AsyncIterable<unknown>)(message, ctx);
      iterator = output[Symbol.asyncIterator]();
      const sendHeaders = (): boolean => {
        if (headersSent) return true;
        const h: OutgoingHttpHeaders = { ":status": 200 };
        addHeaders(h, ctx.responseHeaderIfAny);
        h["content-type"] = grpcProtoContentType;
        if (!respondSafely(stream, h, false, true)) return false;
        headersSent = true;
        return true;
      };
      await pumpMessages(iterator, {
        serialize: (message) => encode(entry.method.output, message, options),
        write(frames) {
          if (sendHeaders()) stream.write(frames);
        },
        largeBytes: copyBelowBytes,
        writeLarge(message) {
          if (!sendHeaders()) return undefined;
          const written = writeLarge(stream, message);
          if (written === true || written === false) return undefined; // a full buffer: the pump waits for 'drain'
          return new Promise<void>((resolve) => {
            wake = resolve;
            void written.then(resolve);
          }).finally(() => (wake = undefined));
        },
        stopped: () => closed || ended || stream.destroyed,
        needsDrain: () => stream.writableNeedDrain,
        drained: () =>
          new Promise<void>((resolve) => {
            wake = resolve;
            stream.once("drain", resolve);
          }).finally(() => (wake = undefined)),
      });
    } catch (error) {
      failure = toConnectError(error);
    }
    if (timer !== undefined) clearTimeout(timer);
    if (ended || closed || stream.destroyed) return;
    ended = true;
    if (!headersSent) {
      if (failure !== undefined) {
        sendGrpcError(stream, failure, ctx.responseHeaderIfAny, ctx.responseTrailerIfAny);
      } else {
        const h: OutgoingHttpHeaders = { ":status": 200 };
        addHeaders(h, ctx.responseHeaderIfAny);
        Object.assign(h, grpcStatusFields(undefined, ctx.responseTrailerIfAny));
        h["content-type"] = grpcProtoContentType;
        respondSafely(stream, h, true);
      }
      return;
    }
    const trailers = grpcStatusFields(failure, ctx.responseTrailerIfAny);
    stream.once("wantTrailers", () => stream.sendTrailers(trailers));
    stream.end();
  };
}

/** Messages (and `bytes` fields) smaller than this are copied behind their prefix (cheaper than a several-chunk write). */
const copyBelowBytes = 8 * 1024;

/**
 * Encodes one response: a message with a large top-level `bytes` field as chunks that leave the
 * field's bytes where they are, any other as protobuf-es encodes it.
 */
function encode(schema: DescMessage, output: unknown, options: ServerStreamOptions): Uint8Array | EncodedChunks {
  const chunks = encodeWithLargeBytes(schema, output as MessageShape<DescMessage>, copyBelowBytes, options.binaryOptions);
  // A value a hub published to many calls is serialized once (see hub/shared-encoding.ts).
  if (chunks === undefined) return encodeShared(output, schema, options.serialize);
  if (chunks.byteLength > options.writeMaxBytes) {
    throw new ConnectError(`message size ${chunks.byteLength} is larger than configured writeMaxBytes ${options.writeMaxBytes}`, Code.ResourceExhausted);
  }
  return chunks;
}

/**
 * Writes one large gRPC message as its prefix and its chunks in one corked write (node's HTTP/2
 * stream sends them with one writev, in the same DATA frames), so its bytes are never copied into
 * a framed buffer. Returns true when the next message may follow at once, false when the stream's
 * buffer is full (wait for 'drain'), or, when the message holds the handler's own bytes, a promise
 * settled once they are on the socket: a handler may reuse its buffer for the next message.
 */
function writeLarge(stream: ServerHttp2Stream, message: Uint8Array | EncodedChunks): boolean | Promise<void> {
  if (!(message instanceof Uint8Array)) return writeChunks(stream, message.chunks, message.byteLength, true);
  return writeChunks(stream, [message], message.byteLength, false);
}

/**
 * Writes the prefix of a message of `byteLength` bytes and then `chunks`, corked into one writev;
 * with `borrowed`, returns a promise settled once the last chunk has been written out (or failed).
 */
function writeChunks(stream: ServerHttp2Stream, chunks: readonly Uint8Array[], byteLength: number, borrowed: boolean): boolean | Promise<void> {
  stream.cork();
  let more = stream.write(envelopePrefix(byteLength));
  let flushed: Promise<void> | undefined;
  chunks.forEach((chunk, i) => {
    if (borrowed && i === chunks.length - 1) {
      flushed = new Promise<void>((resolve) => (more = stream.write(chunk, () => resolve())));
    } else if (chunk.byteLength > 0) {
      more = stream.write(chunk);
    }
  });
  stream.uncork();
  return flushed ?? more;
}

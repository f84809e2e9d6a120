// The fast server path: takes gRPC and Connect calls of all four shapes with binary protobuf and no
// compression straight from the HTTP/2 stream to the typed handler and back; everything else goes
// to the fallback (Connect's node adapter) untouched.
import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { create, isMessage, type BinaryReadOptions, type BinaryWriteOptions, type DescMessage } from "@bufbuild/protobuf";
import { Code, ConnectError, type ContextValues, type Interceptor, type UnaryRequest, type UnaryResponse } from "@connectrpc/connect";
import { parseConnectTimeout, parseGrpcTimeout } from "../../internals/private-apis.js";
import { encodeEnvelope, tooLargeError } from "../../transport/envelope.js";
import { checkWriteMaxBytes, encodeBinary, parse } from "../../transport/codec.js";
import { armDeadline } from "../../transport/deadline-timer.js";
import { callContext, FastContext, interceptorRequest } from "./fast-context.js";
import type { FastMethod, FastMethodTable } from "./method-table.js";
import { sendConnectError, sendConnectUnary, sendGrpcError, sendGrpcUnary, toConnectError } from "./responses.js";
import { serveStreamCall } from "./stream-call.js";
import { declaredLength, unwrapUnary } from "./request-body.js";

/** Node's 'stream' event arguments. @private */
export type StreamListener = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) => void;

/** Options of {@link createFastStreamHandler}. @private */
export interface FastStreamHandlerOptions {
  readonly table: FastMethodTable;
  /** Everything the fast path does not take. */
  readonly fallback: StreamListener;
  readonly interceptors?: Interceptor[];
  readonly readMaxBytes: number;
  readonly writeMaxBytes?: number;
  readonly maxTimeoutMs?: number;
  readonly binaryOptions?: Partial<BinaryReadOptions & BinaryWriteOptions>;
  /** Aborts every handler's signal (graceful close's end). */
  readonly shutdownSignal?: AbortSignal;
  /** The initial context values of a call on `stream` (e.g. the TLS peer); read only when a handler reads them. */
  readonly contextValues?: (stream: ServerHttp2Stream) => ContextValues;
}

type Protocol = "grpc" | "connect";
type Send = (error: ConnectError, header?: Headers, trailer?: Headers) => void;

/** Creates the 'stream' listener of the fast path. @private */
export function createFastStreamHandler(options: FastStreamHandlerOptions): StreamListener {
  const { table, fallback, readMaxBytes } = options;
  const writeMaxBytes = options.writeMaxBytes ?? 0xffffffff;
  const interceptors = options.interceptors !== undefined && options.interceptors.length > 0 ? options.interceptors : undefined;
  const codec = { binaryOptions: options.binaryOptions, readMaxBytes, writeMaxBytes };
  const contextValues = options.contextValues;
  const valuesOf = (stream: ServerHttp2Stream): (() => ContextValues) | undefined =>
    contextValues === undefined ? undefined : () => contextValues(stream);

  const serialize = (schema: DescMessage, output: unknown): Uint8Array => {
    const bytes = encodeBinary(schema, output as never, options.binaryOptions);
    checkWriteMaxBytes(bytes.byteLength, writeMaxBytes);
    return bytes;
  };

  /** The interceptor chain around one call (built per call: interceptors are the uncommon case). */
  const chainFor = (entry: FastMethod, context: FastContext, interceptorList: Interceptor[]): ((req: UnaryRequest) => Promise<UnaryResponse>) => {
    const impl = entry.impl as (input: unknown, context: FastContext) => unknown;
    let next = (async (req: UnaryRequest) => {
      const output = await impl(req.message, context);
      return {
        stream: false,
        service: entry.service,
        method: entry.method,
        header: context.responseHeader,
        trailer: context.responseTrailer,
        message: isMessage(output, entry.method.output) ? output : create(entry.method.output, output as never),
      } as unknown as UnaryResponse;
    }) as (req: never) => Promise<UnaryResponse>;
    for (let i = interceptorList.length - 1; i >= 0; i--) {
      next = (interceptorList[i] as Interceptor)(next as never) as typeof next;
    }
    return next as (req: UnaryRequest) => Promise<UnaryResponse>;
  };

  const invoke = (entry: FastMethod, message: unknown, context: FastContext): unknown => {
    if (interceptors === undefined) {
      return (entry.impl as (input: unknown, context: FastContext) => unknown)(message, context);
    }
    const req = interceptorRequest(context, false, message);
    return chainFor(entry, context, interceptors)(req as unknown as UnaryRequest).then((res) => {
      if (res.header !== context.responseHeader) res.header.forEach((v, k) => context.responseHeader.set(k, v));
      if (res.trailer !== context.responseTrailer) res.trailer.forEach((v, k) => context.responseTrailer.set(k, v));
      return res.message;
    });
  };

  const handleUnary = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, entry: FastMethod, protocol: Protocol): void => {
    const grpc = protocol === "grpc";
    const sendError: Send = grpc ? (e, h, t) => sendGrpcError(stream, e, h, t) : (e, h, t) => sendConnectError(stream, e, h, t);
    const timeout = grpc
      ? parseGrpcTimeout((headers["grpc-timeout"] as string | undefined) ?? null, options.maxTimeoutMs ?? Number.MAX_SAFE_INTEGER)
      : parseConnectTimeout((headers["connect-timeout-ms"] as string | undefined) ?? null, options.maxTimeoutMs ?? Number.MAX_SAFE_INTEGER);
    let done = false;
    let context: FastContext | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = grpc ? readMaxBytes + 5 : readMaxBytes;
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;

    const finish = (): void => {
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      context?.release();
      // A client still sending a request we rejected: stop reading it once the response is out.
      if (!stream.readableEnded) setImmediate(() => !stream.destroyed && stream.close(0));
    };
    const fail = (error: unknown): void => {
      if (done) return;
      const e = toConnectError(error);
      sendError(e, context?.responseHeaderIfAny, context?.responseTrailerIfAny);
      finish();
    };

    stream.on("error", () => {});
    stream.on("close", () => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      context?.abort(new ConnectError("client closed the stream", Code.Canceled));
      context?.release();
    });
    if (timeout.error !== undefined) {
      fail(timeout.error);
      return;
    }
    let prefixChecked = !grpc;
    stream.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.byteLength;
      if (size > limit) {
        fail(tooLargeError(grpc ? size - 5 : size, readMaxBytes));
        return;
      }
      if (first === undefined) first = chunk;
      else (chunks ??= [first]).push(chunk);
      if (!prefixChecked && size >= 5) {
        // The declared length is checked as soon as all five prefix bytes are in, however the
        // client split them across DATA frames.
        prefixChecked = true;
        const length = declaredLength(chunks ?? [chunk], size) as number;
        if (length > readMaxBytes) fail(tooLargeError(length, readMaxBytes));
      }
    });
    stream.on("end", () => {
      if (done) return;
      const body = chunks !== undefined ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0));
      let message: unknown;
      try {
        message = parse(entry.method.input, grpc ? unwrapUnary(body, readMaxBytes) : body, codec);
      } catch (error) {
        fail(error);
        return;
      }
      const ctx = callContext(entry.method, protocol, headers, timeout.timeoutMs, options.shutdownSignal, valuesOf(stream));
      context = ctx;
      if (timeout.timeoutMs !== undefined) {
        timer = armDeadline(() => {
          const error = new ConnectError("the operation timed out", Code.DeadlineExceeded);
          ctx.abort(error);
          fail(error);
        }, timeout.timeoutMs);
      }
      let result: unknown;
      try {
        result = invoke(entry, message, ctx);
      } catch (error) {
        fail(error);
        return;
      }
      const succeed = (output: unknown): void => {
        if (done) return;
        let bytes: Uint8Array;
        try {
          bytes = serialize(entry.method.output, output);
        } catch (error) {
          fail(error);
          return;
        }
        if (grpc) sendGrpcUnary(stream, encodeEnvelope(bytes), ctx.responseHeaderIfAny, ctx.responseTrailerIfAny);
        else sendConnectUnary(stream, bytes, ctx.responseHeaderIfAny, ctx.responseTrailerIfAny);
        finish();
      };
      if (result !== null && typeof result === "object" && typeof (result as Promise<unknown>).then === "function") {
        (result as Promise<unknown>).then(succeed, fail);
      } else {
        succeed(result);
      }
    });
  };

  const streamOptions = { ...codec, shutdownSignal: options.shutdownSignal, maxTimeoutMs: options.maxTimeoutMs, serialize, interceptors };

  return (stream, headers, flags, rawHeaders) => {
    const entry = headers[":method"] === "POST" ? table.get(headers[":path"] as string) : undefined;
    if (entry === undefined) return fallback(stream, headers, flags, rawHeaders);
    const contentType = headers["content-type"];
    const unary = entry.method.methodKind === "unary";
    if (contentType === "application/grpc" || contentType === "application/grpc+proto") {
      const encoding = headers["grpc-encoding"];
      if (encoding !== undefined && encoding !== "identity") return fallback(stream, headers, flags, rawHeaders);
      if (unary) return handleUnary(stream, headers, entry, "grpc");
      return serveStreamCall(stream, headers, entry, "grpc", { ...streamOptions, contextValues: valuesOf(stream) });
    }
    const version = headers["connect-protocol-version"];
    if (version !== undefined && version !== "1") return fallback(stream, headers, flags, rawHeaders);
    if (contentType === "application/proto" && unary) {
      const encoding = headers["content-encoding"];
      if (encoding === undefined || encoding === "identity") return handleUnary(stream, headers, entry, "connect");
    } else if (contentType === "application/connect+proto" && !unary) {
      const encoding = headers["connect-content-encoding"];
      if (encoding === undefined || encoding === "identity") {
        return serveStreamCall(stream, headers, entry, "connect", { ...streamOptions, contextValues: valuesOf(stream) });
      }
    }
    fallback(stream, headers, flags, rawHeaders);
  };
}

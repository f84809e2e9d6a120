// Server, client and bidi streaming on the fast path, over gRPC and Connect: the request stream is an
// AsyncIterable the handler pulls from the HTTP/2 stream, responses are written with backpressure,
// interceptors run as in Connect, and client reset, deadline, shutdown and protocol errors abort the
// handler's signal and end the call with the right code.
import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import type { DescMessage } from "@bufbuild/protobuf";
import { Code, ConnectError, type ContextValues, type Interceptor, type StreamRequest, type StreamResponse, type UnaryRequest, type UnaryResponse } from "@connectrpc/connect";
import { parseConnectTimeout, parseGrpcTimeout } from "../../internals/private-apis.js";
import type { CodecOptions } from "../../transport/codec.js";
import { armDeadline } from "../../transport/deadline-timer.js";
import { applyInterceptors, normalizeMessage } from "../../call/run-interceptors.js";
import { stopReading } from "../admission/shed-response.js";
import { callContext, interceptorRequest, type FastContext } from "./fast-context.js";
import type { FastMethod } from "./method-table.js";
import { RequestMessages, singleMessage } from "./request-messages.js";
import { connectStreamWriter, grpcStreamWriter } from "./stream-response.js";
import { pumpMessages } from "./message-pump.js";
import { copyBelowBytes, encodeResponse, responseFramer } from "./response-encoding.js";
import { toConnectError } from "./responses.js";

/** Settings of {@link serveStreamCall}. @private */
export interface StreamCallOptions extends CodecOptions {
  readonly maxTimeoutMs?: number;
  readonly shutdownSignal?: AbortSignal;
  /** Interceptors around the handler; undefined or empty for none. */
  readonly interceptors?: readonly Interceptor[];
  /** The call's initial context values, made when the handler first reads them. */
  readonly contextValues?: () => ContextValues;
  readonly serialize: (schema: DescMessage, output: unknown) => Uint8Array;
}

type Impl = (input: unknown, context: FastContext) => unknown;

/** The handler's output as an AsyncIterable, by method kind (a client-streaming handler's one response included). */
function invokeHandler(entry: FastMethod, input: AsyncIterable<unknown>, context: FastContext): AsyncIterable<unknown> | Promise<AsyncIterable<unknown>> {
  const impl = entry.impl as Impl;
  switch (entry.method.methodKind) {
    case "server_streaming":
      return singleMessage(input).then((message) => impl(message, context) as AsyncIterable<unknown>);
    case "client_streaming":
      return (async function* () {
        yield await impl(input, context);
      })();
    default:
      return impl(input, context) as AsyncIterable<unknown>;
  }
}

async function* normalized(schema: DescMessage, messages: AsyncIterable<unknown>): AsyncIterable<unknown> {
  for await (const message of messages) yield normalizeMessage(schema, message as never);
}

/** Replaces every entry of `to` with those of `from` (Connect's copyHeaders). */
function copyHeaders(from: Headers, to: Headers): void {
  if (from === to) return;
  for (const key of [...to.keys()]) to.delete(key);
  from.forEach((value, key) => to.set(key, value));
}

/**
 * Runs the handler through `interceptors` as Connect's adapter does: they see a StreamRequest whose
 * message is the request stream and may replace the response's header, trailer and messages.
 * `trailerOut` receives the interceptors' trailer once the messages are done.
 */
async function invokeIntercepted(
  entry: FastMethod,
  requests: AsyncIterable<unknown>,
  context: FastContext,
  interceptors: readonly Interceptor[],
): Promise<AsyncIterable<unknown>> {
  const next = async (req: StreamRequest): Promise<StreamResponse> =>
    ({
      stream: true,
      service: entry.service,
      method: entry.method,
      header: context.responseHeader,
      trailer: context.responseTrailer,
      message: normalized(entry.method.output, await invokeHandler(entry, req.message, context)),
    }) as unknown as StreamResponse;
  const req = interceptorRequest(context, true, requests);
  const run = applyInterceptors(next as (req: UnaryRequest | StreamRequest) => Promise<UnaryResponse | StreamResponse>, interceptors);
  const res = (await run(req as unknown as StreamRequest)) as StreamResponse;
  copyHeaders(res.header, context.responseHeader);
  return (async function* () {
    yield* res.message;
    copyHeaders(res.trailer, context.responseTrailer);
  })();
}

/** Serves one streaming call (server, client or bidi) on `stream`. @private */
export function serveStreamCall(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  entry: FastMethod,
  protocol: "grpc" | "connect",
  options: StreamCallOptions,
): void {
  const grpc = protocol === "grpc";
  const maxTimeoutMs = options.maxTimeoutMs ?? Number.MAX_SAFE_INTEGER;
  const timeout = grpc
    ? parseGrpcTimeout((headers["grpc-timeout"] as string | undefined) ?? null, maxTimeoutMs)
    : parseConnectTimeout((headers["connect-timeout-ms"] as string | undefined) ?? null, maxTimeoutMs);
  const writer = grpc ? grpcStreamWriter(stream) : connectStreamWriter(stream);
  stream.on("error", () => {});
  if (timeout.error !== undefined) {
    writer.end(timeout.error, undefined, undefined);
    stopReading(stream);
    return;
  }
  const context = callContext(entry.method, protocol, headers, timeout.timeoutMs, options.shutdownSignal, options.contextValues);
  /** Set once the response is complete or the stream is gone. */
  let over = false;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let output: AsyncIterator<unknown> | undefined;
  let wake: (() => void) | undefined;

  /**
   * Completes the call once: with `error` or OK. `external` marks a failure from outside the handler
   * (deadline, a malformed request, a reset): its signal aborts first and its output is closed.
   */
  const finish = (error: ConnectError | undefined, external: boolean): void => {
    if (over) return;
    over = true;
    if (timer !== undefined) clearTimeout(timer);
    if (external) {
      context.abort(error);
      requests.fail(error);
      void output?.return?.().catch(() => {});
      wake?.();
    }
    requests.discard();
    if (!closed) {
      // A client still sending is told to stop (RST_STREAM NO_ERROR) once the response is out.
      writer.end(error, context.responseHeaderIfAny, context.responseTrailerIfAny, requests.complete ? undefined : () => stopReading(stream));
    }
    // As in Connect's adapter, a streaming call's signal aborts when the call is over, however it
    // ended, so work the handler tied to it stops (a no-op when the handler never read the signal).
    context.abort(error);
  };

  const requests = new RequestMessages(stream, entry.method.input, { ...options, protocol, onProtocolError: (e) => finish(e, true) });
  stream.on("close", () => {
    closed = true;
    // The error is built only for a call the close cut short: a call that ended normally pays for
    // no ConnectError (its stack trace cost ~50 µs, a fifth of a short call's server CPU).
    if (!over) finish(new ConnectError("client closed the stream", Code.Canceled), true);
    context.release();
  });
  if (timeout.timeoutMs !== undefined) {
    timer = armDeadline(() => finish(new ConnectError("the operation timed out", Code.DeadlineExceeded), true), timeout.timeoutMs);
  }

  const run = async (): Promise<void> => {
    let failure: ConnectError | undefined;
    try {
      const interceptors = options.interceptors;
      const messages = await (interceptors === undefined || interceptors.length === 0
        ? invokeHandler(entry, requests, context)
        : invokeIntercepted(entry, requests, context, interceptors));
      if (over) return;
      output = messages[Symbol.asyncIterator]();
      // Messages ready in one turn go out as one write; a large one uncopied (message-pump.ts).
      await pumpMessages(output, {
        serialize: (message) => encodeResponse(entry.method.output, message, options),
        frame: responseFramer(entry.method.output, options),
        write(frames) {
          writer.write(frames, context.responseHeaderIfAny);
        },
        largeBytes: copyBelowBytes,
        writeLarge(message) {
          const written = writer.writeLarge(message, context.responseHeaderIfAny);
          if (written === true || written === false) return undefined; // a full buffer: the pump waits for 'drain'
          return new Promise<void>((resolve) => {
            wake = resolve;
            void written.then(resolve);
          }).finally(() => (wake = undefined));
        },
        stopped: () => over || stream.destroyed,
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
    finish(failure, false);
  };
  void run();
}

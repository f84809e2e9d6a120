// The rxjs face of a generated client: `method$` twins returning cold Observables, and request
// streams accepted as an AsyncIterable or an Observable (bridged through a bounded buffer).
import type { CallOptions, Client } from "@connectrpc/connect";
import type {
  DescMessage,
  DescMethodBiDiStreaming,
  DescMethodClientStreaming,
  DescMethodServerStreaming,
  DescMethodUnary,
  DescService,
  MessageInitShape,
  MessageShape,
} from "@bufbuild/protobuf";
import { isObservable, type Observable } from "rxjs";
import { resolveBufferOptions, type ObservableBufferOptions, type ResolvedBufferOptions } from "./buffer-options.js";
import { observableToIterable } from "./observable-to-iterable.js";
import { iterableToObservable } from "./iterable-to-observable.js";
import { promiseToObservable } from "./promise-to-observable.js";
import { abortOnFailure } from "./request-stream.js";
import { linkAbort } from "../call/linked-abort.js";
import { cancelableIterable } from "../call/cancelable-iterable.js";

/** Call options of a method whose requests stream (client streaming, bidi). */
export interface StreamCallOptions extends CallOptions {
  /** How an Observable request stream is buffered for this call (default: the client's `observableInput`). */
  readonly observableInput?: ObservableBufferOptions;
}

/** A request stream: an AsyncIterable (pulled as the HTTP/2 stream can take more) or an Observable. */
export type RequestStream<I extends DescMessage> = AsyncIterable<MessageInitShape<I>> | Observable<MessageInitShape<I>>;

/** What a call answers with, by style: a promise or async iterable, or an Observable. */
interface Answer<T> {
  promise: Promise<T>;
  iterable: AsyncIterable<T>;
  observable: Observable<T>;
}

/** A client method of `M`: single answers as `One`, streamed answers as `Many`. */
type MethodOf<M, One extends keyof Answer<unknown>, Many extends keyof Answer<unknown>> =
  M extends DescMethodUnary<infer I, infer O>
    ? (request: MessageInitShape<I>, options?: CallOptions) => Answer<MessageShape<O>>[One]
    : M extends DescMethodServerStreaming<infer I, infer O>
      ? (request: MessageInitShape<I>, options?: CallOptions) => Answer<MessageShape<O>>[Many]
      : M extends DescMethodClientStreaming<infer I, infer O>
        ? (request: RequestStream<I>, options?: StreamCallOptions) => Answer<MessageShape<O>>[One]
        : M extends DescMethodBiDiStreaming<infer I, infer O>
          ? (request: RequestStream<I>, options?: StreamCallOptions) => Answer<MessageShape<O>>[Many]
          : never;

/** Which methods get a `$` twin: streaming responses always, single responses when `U` is true. */
type RxKey<M, P, U extends boolean> = M extends DescMethodServerStreaming | DescMethodBiDiStreaming
  ? `${P & string}$`
  : U extends true
    ? `${P & string}$`
    : never;

/**
 * A Sluice client of service `S`: Connect's promise-client methods (request streams may also be
 * Observables) plus a `method$` twin returning a cold Observable for every server-streaming and
 * bidi method, and — when `U` is true (the service's `rxjs_unary` option) — for unary and
 * client-streaming methods too.
 */
export type SluiceClient<S extends DescService, U extends boolean = false> = {
  [P in keyof S["method"]]: MethodOf<S["method"][P], "promise", "iterable">;
} & {
  [P in keyof S["method"] as RxKey<S["method"][P], P, U>]: MethodOf<S["method"][P], "observable", "observable">;
};

/** Options of {@link withObservables}. */
export interface RxClientOptions {
  /** Also give unary and client-streaming methods a `method$` twin (a single-value Observable). */
  readonly rxjsUnary?: boolean;
  /** How Observable request streams are buffered unless a call says otherwise (default 256, `"error"`). */
  readonly observableInput?: ObservableBufferOptions;
}

type AnyFn = (request: unknown, options?: StreamCallOptions) => unknown;

/**
 * Adds the rxjs face to `client` (a client of `service` whose streams cancel when left, such as
 * {@link createCancelableClient}'s). An Observable twin is cold: subscribing starts the call,
 * unsubscribing cancels it (the server's handler sees its signal abort), errors arrive as
 * `ConnectError` and the end of the stream completes it.
 *
 * @throws Error naming `observableInput.bufferSize` or `observableInput.overflow` when invalid.
 */
export function withObservables<S extends DescService, U extends boolean = false>(
  service: S,
  client: Client<S>,
  options: RxClientOptions & { readonly rxjsUnary?: U } = {},
): SluiceClient<S, U> {
  const defaults = resolveBufferOptions(options.observableInput, "observableInput");
  const methods = client as unknown as Record<string, AnyFn>;
  const out: Record<string, unknown> = {};
  /** The call's own signal and its request stream; a failing request stream fails the call with its code. */
  const streamingCall = (request: unknown, callOptions: StreamCallOptions | undefined) => {
    const source = isObservable(request) ? observableToIterable(request, callBuffer(callOptions, defaults)) : (request as AsyncIterable<unknown>);
    const call = linkAbort(callOptions?.signal);
    return { call, input: abortOnFailure(source, call), options: { ...callOptions, signal: call.signal } };
  };
  for (const method of service.methods) {
    const name = method.localName;
    const call = methods[name]!;
    const withSignal = (callOptions: StreamCallOptions | undefined, signal: AbortSignal): StreamCallOptions => ({ ...callOptions, signal });
    switch (method.methodKind) {
      case "unary":
        out[name] = call;
        if (options.rxjsUnary === true) {
          out[`${name}$`] = (request: unknown, o?: CallOptions) =>
            promiseToObservable((signal) => call(request, withSignal(o, signal)) as Promise<unknown>, o?.signal);
        }
        break;
      case "server_streaming":
        out[name] = call;
        out[`${name}$`] = (request: unknown, o?: CallOptions) =>
          iterableToObservable((signal) => call(request, withSignal(o, signal)) as AsyncIterable<unknown>, o?.signal);
        break;
      case "client_streaming": {
        const plain = async (request: unknown, o?: StreamCallOptions) => {
          const streaming = streamingCall(request, o);
          try {
            return await call(streaming.input, streaming.options);
          } finally {
            streaming.call.release();
          }
        };
        out[name] = plain;
        if (options.rxjsUnary === true) {
          out[`${name}$`] = (request: unknown, o?: StreamCallOptions) =>
            promiseToObservable((signal) => plain(request, withSignal(o, signal)) as Promise<unknown>, o?.signal);
        }
        break;
      }
      case "bidi_streaming": {
        const plain = (request: unknown, o?: StreamCallOptions) => {
          const streaming = streamingCall(request, o);
          return cancelableIterable(call(streaming.input, streaming.options) as AsyncIterable<unknown>, streaming.call);
        };
        out[name] = plain;
        out[`${name}$`] = (request: unknown, o?: StreamCallOptions) =>
          iterableToObservable((signal) => plain(request, withSignal(o, signal)) as AsyncIterable<unknown>, o?.signal);
        break;
      }
    }
  }
  return out as SluiceClient<S, U>;
}

function callBuffer(options: StreamCallOptions | undefined, defaults: ResolvedBufferOptions): ResolvedBufferOptions {
  const own = options?.observableInput;
  return own === undefined ? defaults : resolveBufferOptions({ ...defaults, ...own }, "observableInput");
}

// One attempt of a retried or hedged call, for unary and streaming methods: sends the request again
// with `grpc-previous-rpc-attempts`, and resolves once the attempt is committed.
import type { ContextValues, StreamResponse, Transport, UnaryResponse } from "@connectrpc/connect";
import type { DescMessage, DescMethodStreaming, DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import { overlayContext } from "../../call/context-overlay.js";
import { attemptRoutingContext, type AttemptRouting } from "./attempt-context.js";
import type { ReplayInput } from "./replay-input.js";

type RequestHeader = Parameters<Transport["unary"]>[3];

/** The request header gRFC A6 sends on every attempt after the first: how many came before. */
export const previousAttemptsHeader = "grpc-previous-rpc-attempts";

/**
 * Starts attempt `n` (0 is the first) with its own signal and remaining timeout; resolves once the
 * attempt is committed, rejects when it failed before that. @private
 */
export type AttemptFn<R> = (n: number, signal: AbortSignal, timeoutMs: number | undefined, routing: AttemptRouting) => Promise<R>;

function headerFor(header: RequestHeader, n: number): RequestHeader {
  if (n === 0) return header;
  const headers = new Headers(header);
  headers.set(previousAttemptsHeader, String(n));
  return headers;
}

function routed(contextValues: ContextValues | undefined, routing: AttemptRouting): ContextValues {
  return overlayContext(contextValues, attemptRoutingContext, routing);
}

/** Attempts of a unary call: each sends the same request; a response is committed. @private */
export function unaryAttempts<I extends DescMessage, O extends DescMessage>(
  next: Transport,
  method: DescMethodUnary<I, O>,
  header: RequestHeader,
  input: MessageInitShape<I>,
  contextValues: ContextValues | undefined,
): AttemptFn<UnaryResponse<I, O>> {
  return (n, signal, timeoutMs, routing) =>
    next.unary(method, signal, timeoutMs, headerFor(header, n), input, routed(contextValues, routing));
}

/**
 * Attempts of a streaming call over a replayed request stream. An attempt of any streaming kind is
 * committed when its first response message (or its clean end) arrives — Connect-ES servers send
 * response headers before the handler has answered anything, so headers alone would commit every
 * call to such a server, even one that fails before answering. The request stream keeps flowing
 * to the server meanwhile, so a bidi caller that sends more only after reading an answer is not
 * held up; what waits is the caller's first read. @private
 */
export function streamAttempts<I extends DescMessage, O extends DescMessage>(
  next: Transport,
  method: DescMethodStreaming<I, O>,
  header: RequestHeader,
  input: ReplayInput<MessageInitShape<I>>,
  contextValues: ContextValues | undefined,
): AttemptFn<StreamResponse<I, O>> {
  return async (n, signal, timeoutMs, routing) => {
    const reader = input.reader();
    try {
      const response = await next.stream(method, signal, timeoutMs, headerFor(header, n), reader, routed(contextValues, routing));
      const iterator = response.message[Symbol.asyncIterator]();
      const first = await iterator.next();
      return { ...response, message: withFirst(first, iterator) };
    } catch (error) {
      reader.close();
      throw error;
    }
  };
}

/** The rest of a stream whose first result was already read; leaving it early returns the source. */
function withFirst<T>(first: IteratorResult<T>, rest: AsyncIterator<T>): AsyncIterable<T> {
  let pending: IteratorResult<T> | undefined = first;
  return {
    [Symbol.asyncIterator]: () => ({
      next() {
        if (pending === undefined) return rest.next();
        const result = pending;
        pending = undefined;
        return Promise.resolve(result);
      },
      return(value?: unknown) {
        pending = undefined;
        return rest.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined });
      },
      throw(error?: unknown) {
        pending = undefined;
        return rest.throw?.(error) ?? Promise.reject(error);
      },
    }),
  };
}

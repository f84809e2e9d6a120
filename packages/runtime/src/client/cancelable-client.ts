// createCancelableClient: Connect's promise client, except that leaving a response stream early
// (break, return or throw in a for-await loop) cancels the call all the way to the server.
import { Code, ConnectError, makeAnyClient, type CallOptions, type Client, type Transport, type UnaryResponse } from "@connectrpc/connect";
import { iterableOf } from "../call/async-iterable.js";
import type { DescMessage, DescMethodStreaming, DescMethodUnary, DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { linkAbort } from "../call/linked-abort.js";
import { cancelableIterable } from "../call/cancelable-iterable.js";
import { endWatchableOf, watchEnd, type EndWatchable, type EndWatcher } from "../call/end-watch.js";
import { notReady, readySourceOf, takeReady, type ReadySource } from "../call/ready-values.js";

/**
 * Creates a typed client for `service` over `transport`, with the same methods and call options as
 * Connect's `createClient`. The difference is in streams: Connect's client hands out iterables
 * without `return()`, so a loop that stops reading leaves the HTTP/2 stream open and the server's
 * handler running; this client cancels the call (the server's handler sees its signal abort).
 *
 * @example
 * ```ts
 * const client = createCancelableClient(ElizaService, channel);
 * for await (const res of client.introduce({ name: "x" })) break; // the server sees the cancel
 * ```
 */
export function createCancelableClient<S extends DescService>(service: S, transport: Transport): Client<S> {
  return makeAnyClient(service, (method) => {
    switch (method.methodKind) {
      case "unary":
        return unaryFn(transport, method);
      case "server_streaming":
        return (input: MessageInitShape<DescMessage>, options?: CallOptions) =>
          streamResponse(transport, method, iterableOf([input]), options);
      case "client_streaming":
        return clientStreamingFn(transport, method);
      case "bidi_streaming":
        return (input: AsyncIterable<MessageInitShape<DescMessage>>, options?: CallOptions) =>
          streamResponse(transport, method, input, options);
      default:
        return null;
    }
  }) as Client<S>;
}

/** The message of a unary response (one shared function: no closure per call). */
const messageOf = (response: UnaryResponse): MessageShape<DescMessage> => response.message;

function unaryFn(transport: Transport, method: DescMethodUnary) {
  return (input: MessageInitShape<DescMessage>, options?: CallOptions): Promise<MessageShape<DescMessage>> => {
    const response = transport.unary(method, options?.signal, options?.timeoutMs, options?.headers, input, options?.contextValues);
    const onHeader = options?.onHeader;
    const onTrailer = options?.onTrailer;
    if (onHeader === undefined && onTrailer === undefined) return response.then(messageOf);
    return response.then((r) => {
      onHeader?.(r.header);
      onTrailer?.(r.trailer);
      return r.message;
    });
  };
}

function clientStreamingFn(transport: Transport, method: DescMethodStreaming) {
  return async (input: AsyncIterable<MessageInitShape<DescMessage>>, options?: CallOptions): Promise<MessageShape<DescMessage>> => {
    const call = linkAbort(options?.signal);
    try {
      const response = await transport.stream(method, call.signal, options?.timeoutMs, options?.headers, input, options?.contextValues);
      options?.onHeader?.(response.header);
      let single: MessageShape<DescMessage> | undefined;
      let count = 0;
      for await (const message of response.message) {
        single = message;
        count++;
      }
      if (single === undefined) throw new ConnectError("protocol error: missing response message", Code.Unimplemented);
      if (count > 1) throw new ConnectError("protocol error: received extra messages for client streaming method", Code.Unimplemented);
      options?.onTrailer?.(response.trailer);
      return single;
    } catch (error) {
      // A failed call must not leave its request pump or stream running.
      call.abort(error);
      throw error;
    } finally {
      call.release();
    }
  };
}

/** A lazily started stream: the call begins on the first `next()`, as with Connect's client. */
function streamResponse(
  transport: Transport,
  method: DescMethodStreaming,
  input: AsyncIterable<MessageInitShape<DescMessage>>,
  options: CallOptions | undefined,
): AsyncIterable<MessageShape<DescMessage>> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<MessageShape<DescMessage>> & EndWatchable & ReadySource {
      const call = linkAbort(options?.signal);
      let inner: AsyncIterator<MessageShape<DescMessage>> | undefined;
      let innerReady: ReadySource | undefined;
      let started: Promise<AsyncIterator<MessageShape<DescMessage>>> | undefined;
      let left = false;
      const start = (): Promise<AsyncIterator<MessageShape<DescMessage>>> =>
        (started ??= transport
          .stream(method, call.signal, options?.timeoutMs, options?.headers, input, options?.contextValues)
          .then((response) => {
            options?.onHeader?.(response.header);
            const messages = cancelableIterable(response.message, call, (completed) => {
              if (completed) options?.onTrailer?.(response.trailer);
            });
            inner = messages[Symbol.asyncIterator]();
            innerReady = readySourceOf(inner);
            return inner;
          }));
      const leave = async (): Promise<void> => {
        if (left) return;
        left = true;
        if (inner !== undefined) {
          await inner.return?.();
        } else {
          call.abort();
          // A call still starting fails with CANCELED; nobody reads that error.
          started?.catch(() => undefined);
        }
      };
      return {
        next() {
          if (left) return Promise.resolve({ done: true, value: undefined });
          // Once the call has started, its messages' own promises go to the caller (no extra hop per
          // message); their failures release the call in cancelableIterable.
          if (inner !== undefined) return inner.next();
          return start().then(
            (it) => it.next(),
            (error: unknown) => {
              call.release();
              throw error;
            },
          );
        },
        // Once started, the end is reported by the call's messages (end-watch.ts).
        [watchEnd]: (watcher: EndWatcher) => inner !== undefined && endWatchableOf(inner)?.[watchEnd](watcher) === true,
        // Once started, messages the call already holds are handed over without a promise each (ready-values.ts).
        [takeReady]: () => (left || innerReady === undefined ? notReady : innerReady[takeReady]()),
        async return(value?: unknown) {
          await leave();
          return { done: true, value: value as MessageShape<DescMessage> };
        },
        async throw(error?: unknown) {
          await leave();
          throw error;
        },
      };
    },
  };
}

// Runs Connect interceptors around a call the way Connect's run-call helpers do, but keeps the
// response stream's return(), so a consumer that leaves early still cancels the call below.
import { create, isMessage, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { Interceptor, StreamRequest, StreamResponse, UnaryRequest, UnaryResponse } from "@connectrpc/connect";
import { linkAbort } from "./linked-abort.js";
import { cancelableIterable } from "./cancelable-iterable.js";

type AnyNext = (req: UnaryRequest | StreamRequest) => Promise<UnaryResponse | StreamResponse>;

/** Wraps `next` in `interceptors`, the first one outermost (as Connect applies them). @private */
export function applyInterceptors<T extends AnyNext>(next: T, interceptors: readonly Interceptor[]): T {
  let wrapped = next as unknown as Parameters<Interceptor>[0];
  for (let i = interceptors.length - 1; i >= 0; i--) wrapped = interceptors[i]!(wrapped);
  return wrapped as unknown as T;
}

/** A request message as a full message, as interceptors expect to see it. @private */
export function normalizeMessage<I extends DescMessage>(schema: I, message: MessageInitShape<I>): MessageShape<I> {
  return isMessage(message, schema) ? (message as MessageShape<I>) : create(schema, message);
}

async function* normalizeMessages<I extends DescMessage>(
  schema: I,
  messages: AsyncIterable<MessageInitShape<I>>,
): AsyncIterable<MessageShape<I>> {
  for await (const message of messages) yield normalizeMessage(schema, message);
}

/** Runs a unary call through `interceptors`; `next` performs the call with the (possibly changed) request. @private */
export function runUnaryInterceptors<I extends DescMessage, O extends DescMessage>(
  interceptors: readonly Interceptor[],
  req: Omit<UnaryRequest<I, O>, "signal" | "message"> & { readonly message: MessageInitShape<I> },
  signal: AbortSignal | undefined,
  next: (req: UnaryRequest<I, O>) => Promise<UnaryResponse<I, O>>,
): Promise<UnaryResponse<I, O>> {
  const call = linkAbort(signal);
  const run = applyInterceptors(next as unknown as AnyNext, interceptors);
  const request = { ...req, message: normalizeMessage(req.method.input, req.message), signal: call.signal } as UnaryRequest<I, O>;
  return (run(request) as Promise<UnaryResponse<I, O>>).finally(() => call.release());
}

/**
 * Runs a streaming call through `interceptors`. The response stream keeps `return()`: leaving it
 * early aborts the request's signal, which the transport below turns into a stream reset.
 *
 * @private
 */
export async function runStreamInterceptors<I extends DescMessage, O extends DescMessage>(
  interceptors: readonly Interceptor[],
  req: Omit<StreamRequest<I, O>, "signal" | "message"> & { readonly message: AsyncIterable<MessageInitShape<I>> },
  signal: AbortSignal | undefined,
  next: (req: StreamRequest<I, O>) => Promise<StreamResponse<I, O>>,
): Promise<StreamResponse<I, O>> {
  const call = linkAbort(signal);
  const run = applyInterceptors(next as unknown as AnyNext, interceptors);
  const request = {
    ...req,
    message: normalizeMessages(req.method.input, req.message),
    signal: call.signal,
  } as StreamRequest<I, O>;
  let response: StreamResponse<I, O>;
  try {
    response = (await run(request)) as StreamResponse<I, O>;
  } catch (error) {
    call.release();
    throw error;
  }
  return { ...response, message: cancelableIterable(response.message, call) };
}

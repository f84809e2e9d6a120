// Server-side support for generated handlers: handlers may return Observables, methods may be left
// unimplemented on purpose, a request stream can be read as an Observable, and the methods' limits
// from the .proto are recorded for serve().
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import type { UniversalHandlerOptions } from "../internals/private-apis.js";
import type { DescService } from "@bufbuild/protobuf";
import { isObservable, type Observable } from "rxjs";
import { resolveBufferOptions, type ObservableBufferOptions, type ResolvedBufferOptions } from "./buffer-options.js";
import { observableToIterable } from "./observable-to-iterable.js";
import { iterableToObservable } from "./iterable-to-observable.js";
import { closeOnAbort } from "./abort-iterable.js";
import type { MethodLimitsOptions } from "../server/admission/admission-options.js";
import { declareMethodLimits } from "../server/admission/declared-limits.js";

/**
 * The marker for a method a server leaves out on purpose: it answers UNIMPLEMENTED. Generated
 * `PartialXxxHandlers` types require every method, each either a handler or this marker, so a
 * missing (or misspelt) method is a type error and leaving one out is a visible choice.
 */
export const unimplemented: unique symbol = Symbol("sluice.unimplemented");

/** The type of {@link unimplemented}. */
export type Unimplemented = typeof unimplemented;

/** Options of {@link registerService}: Connect's handler options plus how returned Observables are bridged. */
export interface RegisterOptions extends Partial<UniversalHandlerOptions> {
  /**
   * How an Observable returned by a server-streaming or bidi handler is buffered while HTTP/2 flow
   * control holds the response back (default 256 messages, overflow `"error"`: the call ends with
   * RESOURCE_EXHAUSTED).
   */
  readonly observableOutput?: ObservableBufferOptions;
}

type AnyHandler = (input: unknown, context: HandlerContext) => unknown;

/**
 * Registers `impl` for `service` on `router` as generated `registerXxx` functions do: methods set
 * to {@link unimplemented} are left out (Connect answers UNIMPLEMENTED), and an Observable returned
 * by a streaming handler is read through a bounded buffer and unsubscribed when the call ends or
 * the client cancels (the handler's `context.signal` aborts too). The `limit` of each implemented
 * method in `policies` (the generated `XxxPolicies` table) is recorded on the router for `serve()`,
 * which admits that method's calls through a limiter of its own before the server's limits.
 *
 * @throws Error naming `observableOutput.bufferSize` or `observableOutput.overflow` when invalid.
 */
export function registerService(
  router: ConnectRouter,
  service: DescService,
  impl: object,
  options: RegisterOptions = {},
  policies?: Readonly<Record<string, { readonly limit?: MethodLimitsOptions } | undefined>>,
): ConnectRouter {
  const { observableOutput, ...handlerOptions } = options;
  const buffer = resolveBufferOptions(observableOutput, "observableOutput");
  const adapted: Record<string, AnyHandler> = {};
  for (const method of service.methods) {
    const handler = (impl as Readonly<Record<string, unknown>>)[method.localName];
    if (handler === unimplemented || handler === undefined) continue;
    if (typeof handler !== "function") {
      throw new Error(`${method.localName}: must be a handler function or \`unimplemented\`, got ${typeof handler}`);
    }
    const bound = (handler as AnyHandler).bind(impl);
    adapted[method.localName] =
      method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming" ? streamingHandler(bound, buffer) : bound;
    const limit = policies?.[method.localName]?.limit;
    if (limit !== undefined) declareMethodLimits(router, `/${service.typeName}/${method.name}`, limit);
  }
  const hasOptions = Object.values(handlerOptions).some((v) => v !== undefined);
  return router.service(service, adapted as never, hasOptions ? handlerOptions : undefined);
}

function streamingHandler(handler: AnyHandler, buffer: ResolvedBufferOptions): AnyHandler {
  return (input, context) => {
    const result = handler(input, context);
    return isObservable(result) ? closeOnAbort(observableToIterable(result, buffer), context.signal) : result;
  };
}

/**
 * Reads a handler's request stream as a cold Observable that pulls one request at a time, only
 * once the subscriber's `next` has returned: nothing is read ahead, so a slow subscriber slows the
 * client down through HTTP/2 flow control. Operators that queue on their own (e.g. `concatMap`
 * with async work) buffer in rxjs, not here. Subscribe once: a request stream can be read once.
 *
 * @example
 * ```ts
 * watchStock(requests, context) {
 *   return observeRequests(requests).pipe(mergeMap((r) => levelsOf(r.sku)));
 * }
 * ```
 */
export function observeRequests<T>(requests: AsyncIterable<T>): Observable<T> {
  return iterableToObservable(() => requests);
}

// Call-level interceptors: run once per logical call, before the cache, retries, hedges and any
// pick (the channel's per-endpoint interceptors, by contrast, run once per attempt).
import { createContextValues, type ContextValues, type Interceptor, type Transport } from "@connectrpc/connect";
import type { DescMethod } from "@bufbuild/protobuf";
import { createMethodUrl } from "@connectrpc/connect/protocol";
import { runStreamInterceptors, runUnaryInterceptors } from "../call/run-interceptors.js";
import type { TransportLayer } from "./layer.js";
import { plainResponse } from "../cache/response-codecs.js";

/**
 * A layer running Connect `interceptors` once per call. An interceptor sees the request as the
 * caller made it (headers without protocol headers, `url` under `baseUrl`), and may change its
 * headers, message or context values before the call goes on.
 *
 * @param baseUrl - what `req.url` starts with (default `"sluice://channel"`: the endpoint is not
 *   picked yet at this level).
 */
export function interceptorLayer(interceptors: readonly Interceptor[], baseUrl = "sluice://channel"): TransportLayer {
  /** The request fields both shapes share, as the caller made the call. */
  const common = <M extends DescMethod>(method: M, header: Parameters<Transport["unary"]>[3], contextValues: ContextValues | undefined) => ({
    service: method.parent,
    method,
    requestMethod: "POST",
    url: createMethodUrl(baseUrl, method),
    header: new Headers(header),
    contextValues: contextValues ?? createContextValues(),
  });
  return (next: Transport): Transport => {
    if (interceptors.length === 0) return next;
    return {
      unary(method, signal, timeoutMs, header, input, contextValues) {
        return runUnaryInterceptors(
          interceptors,
          { stream: false, ...common(method, header, contextValues), message: input },
          signal,
          // Interceptors may spread the response: a cached one becomes a plain object first.
          (req) => next.unary(req.method, req.signal, timeoutMs, req.header, req.message, req.contextValues).then(plainResponse),
        );
      },
      stream(method, signal, timeoutMs, header, input, contextValues) {
        return runStreamInterceptors(
          interceptors,
          { stream: true, ...common(method, header, contextValues), message: input },
          signal,
          (req) => next.stream(req.method, req.signal, timeoutMs, req.header, req.message, req.contextValues),
        );
      },
    };
  };
}

// Wiring of the fast server path into serve(): an HTTP/2 server whose 'stream' listener takes what the
// fast path serves and gives every other stream to Connect's node adapter through node's own
// compatibility request/response objects.
import * as http2 from "node:http2";
import type { BinaryReadOptions, BinaryWriteOptions } from "@bufbuild/protobuf";
import type { ContextValues, Interceptor } from "@connectrpc/connect";
import { createFastStreamHandler, type StreamListener } from "./fast-stream-handler.js";
import { compatRequestResponse } from "../../internals/private-apis.js";
import type { FastMethodTable } from "./method-table.js";

/** Server-side transports serve() can use. */
export type ServerTransport = "sluice" | "connect-node";

/** The accepted values of {@link ServerTransport}. */
export const serverTransports: readonly ServerTransport[] = ["sluice", "connect-node"];

/** A request handler in node's compatibility API (what connectNodeAdapter returns). @private */
export type NodeRequestHandler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void;

/** Options of {@link createFastHttp2Server}. @private */
export interface FastHttp2ServerOptions {
  readonly table: FastMethodTable;
  readonly interceptors?: Interceptor[];
  readonly readMaxBytes: number;
  readonly writeMaxBytes?: number;
  readonly maxTimeoutMs?: number;
  readonly binaryOptions?: Partial<BinaryReadOptions & BinaryWriteOptions>;
  /** The initial context values of a call on a stream (e.g. the TLS peer). */
  readonly contextValues?: (stream: http2.ServerHttp2Stream) => ContextValues;
}

/** Hands a raw stream to a compatibility-API handler, as node's own server would. @private */
export function nodeFallback(handler: NodeRequestHandler): StreamListener {
  return (stream, headers, _flags, rawHeaders) => {
    const { request, response } = compatRequestResponse(stream, headers, rawHeaders);
    handler(request, response);
  };
}

/**
 * Creates the HTTP/2 server of serve() with the fast path in front of `fallback`. `options.table` is
 * read at each request, so it may be filled after this call; `guard` wraps the 'stream' listener
 * (serve()'s per-stream limits).
 * @private
 */
export function createFastHttp2Server(
  http2Options: http2.ServerOptions,
  fallback: NodeRequestHandler,
  options: FastHttp2ServerOptions,
  guard: (listener: StreamListener) => StreamListener = (listener) => listener,
): http2.Http2Server {
  const server = http2.createServer(http2Options);
  server.on("stream", guard(createFastStreamHandler({ ...options, fallback: nodeFallback(fallback) })));
  return server;
}

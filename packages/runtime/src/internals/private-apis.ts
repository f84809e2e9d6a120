// The one module through which the runtime uses what its dependencies do not promise to keep:
// Connect-ES exports marked @private, connect-node's private session state, and node:http2's
// undocumented compatibility constructors. private-apis.spec.ts checks every one of them, so an
// upgrade that changes one fails that test, naming the package and what changed.
import * as http2 from "node:http2";
import type { Http2SessionManager } from "@connectrpc/connect-node";

/**
 * From `@connectrpc/connect/protocol-grpc` (@private there): `grpc-timeout` parsing, HTTP status →
 * Code, the status a `grpc-status` header or trailer carries, and writing a status into trailers.
 * @private
 */
export {
  codeFromHttpStatus as grpcCodeFromHttpStatus,
  findTrailerError,
  parseTimeout as parseGrpcTimeout,
  setTrailerStatus,
} from "@connectrpc/connect/protocol-grpc";

/**
 * From `@connectrpc/connect/protocol-connect` (@private there): `connect-timeout-ms` parsing,
 * HTTP status ↔ Code, the JSON error body and the end-of-stream message in both directions.
 * @private
 */
export {
  codeFromHttpStatus as connectCodeFromHttpStatus,
  codeToHttpStatus as connectCodeToHttpStatus,
  endStreamFlag as connectEndStreamFlag,
  endStreamFromJson as connectEndStreamFromJson,
  endStreamToJson as connectEndStreamToJson,
  errorFromJsonBytes,
  errorToJsonBytes,
  parseTimeout as parseConnectTimeout,
} from "@connectrpc/connect/protocol-connect";

/**
 * From `@connectrpc/connect/protocol` (@private there): the options Connect's router takes per
 * service, which `registerService` passes through.
 * @private
 */
export type { UniversalHandlerOptions } from "@connectrpc/connect/protocol";

/** The part of connect-node's private `Http2SessionManager` state that holds the session. */
interface ManagerState {
  readonly s?: { readonly t?: unknown; readonly conn?: unknown };
}

/**
 * The HTTP/2 session an `Http2SessionManager` holds while its state is `ready` (read from its
 * private field `s`: `{ t: "ready", conn }`), or undefined in any other state or shape.
 * @private
 */
export function readySessionOf(manager: Http2SessionManager): http2.ClientHttp2Session | undefined {
  const state = (manager as unknown as ManagerState).s;
  if (state?.t !== "ready" || state.conn === undefined || state.conn instanceof Promise) return undefined;
  return state.conn as http2.ClientHttp2Session;
}

/**
 * Node's compatibility request and response for a raw server stream, made as node's own HTTP/2
 * server makes them (the constructors are exported but their arguments are undocumented).
 * @private
 */
export function compatRequestResponse(
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  rawHeaders: string[],
): { request: http2.Http2ServerRequest; response: http2.Http2ServerResponse } {
  return {
    request: new http2.Http2ServerRequest(stream, headers, {}, rawHeaders),
    response: new http2.Http2ServerResponse(stream),
  };
}

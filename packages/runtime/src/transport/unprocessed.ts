// Calls the server never processed: refused streams, streams above a GOAWAY's last stream id,
// streams that never left the client (connection refused, session gone). Such a call is safe to
// send again, to another endpoint, whatever the method's idempotency.
import { Code, ConnectError } from "@connectrpc/connect";

const marked = new WeakSet<ConnectError>();

/** Marks `error` as the failure of a call no server processed; returns it. @private */
export function markUnprocessed(error: ConnectError): ConnectError {
  marked.add(error);
  return error;
}

/**
 * Node error codes that mean the request never reached a server's handler: the connection was
 * refused or failed before the stream was sent, or the session had received GOAWAY.
 */
const unsentNodeCodes = new Set([
  "ECONNREFUSED",
  "ERR_HTTP2_STREAM_CANCEL",
  "ERR_HTTP2_GOAWAY_SESSION",
  "ERR_HTTP2_INVALID_SESSION",
]);

/** Whether node's `error` (or a cause of it) says the stream was refused or never sent. @private */
export function nodeSaysUnsent(error: unknown): boolean {
  let cursor: unknown = error;
  for (let depth = 0; depth < 6 && cursor instanceof Error; depth++) {
    const code = (cursor as { code?: unknown }).code;
    if (typeof code === "string" && unsentNodeCodes.has(code)) return true;
    if (code === "ERR_HTTP2_STREAM_ERROR" && cursor.message.includes("NGHTTP2_REFUSED_STREAM")) return true;
    cursor = (cursor as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Whether `error` is the failure of a call that no server processed: marked so by the fast path,
 * or (from connect-node's transports) caused by a refused stream, a refused connection or a
 * session that had received GOAWAY, with no response from a server.
 *
 * @private
 */
export function isUnprocessed(error: unknown): boolean {
  if (!(error instanceof ConnectError)) return false;
  if (marked.has(error)) return true;
  if (error.metadata.has("grpc-status") || error.metadata.has("content-type")) return false;
  return nodeSaysUnsent(error.cause) || nodeSaysUnsent(error);
}

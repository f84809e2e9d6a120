// Connection loss as the caller should see it: a call whose HTTP/2 stream was reset because the
// connection died reports UNAVAILABLE (retryable, endpoint-specific) naming the endpoint.
import { Code, ConnectError } from "@connectrpc/connect";
import { connectionError, isTlsFailure } from "../transport/node-errors.js";
import { isUnprocessed, markUnprocessed } from "../transport/unprocessed.js";

/**
 * Returns the error a channel call should fail with. A failure below the server — UNAVAILABLE that
 * no server sent, or what Connect reports for a lost connection: a stream reset with CANCEL (what
 * node does to every stream of a session whose socket closed) as CANCELED, a socket reset
 * (ECONNRESET) as ABORTED, a failed TLS connection as INTERNAL — becomes UNAVAILABLE worded by
 * {@link connectionError}: "connection to <address> lost: <cause>", the same on both transports. A
 * call no server processed (a refused stream, which connect-node reports as INTERNAL, or a refused
 * connection) becomes UNAVAILABLE too and stays marked as unprocessed, so the channel may send it
 * again. Unchanged: errors when the caller aborted, errors the server sent (they carry response
 * metadata), and every other code. `connectFailure`, the endpoint dial's account of its last failed
 * connection, is added to the message when given.
 *
 * @private
 */
export function connectionAwareError(error: unknown, signal: AbortSignal | undefined, address: string, connectFailure?: Error): unknown {
  if (signal?.aborted === true) return error;
  const connectError = ConnectError.from(error);
  const code = connectError.code;
  const tls = code === Code.Internal && isTlsFailure(connectError);
  const unprocessed = isUnprocessed(error);
  if (!unprocessed && ((code !== Code.Canceled && code !== Code.Aborted && code !== Code.Unavailable && !tls) || sentByServer(connectError))) {
    return error;
  }
  const worded = connectionError(address, error);
  // A call no server processed stays one when reworded (the channel may send it again).
  const reported = unprocessed ? markUnprocessed(worded) : worded;
  // Why the endpoint's connection failed, when the dial knows more than the stream did.
  if (connectFailure !== undefined && !reported.rawMessage.includes(connectFailure.message)) {
    const hinted = new ConnectError(`${reported.rawMessage} (${connectFailure.message})`, reported.code, reported.metadata, undefined, reported.cause);
    hinted.details = reported.details;
    return unprocessed ? markUnprocessed(hinted) : hinted;
  }
  return reported;
}

/** Whether the server answered with this error (it carries response metadata), rather than the call failing below it. @private */
export function sentByServer(error: ConnectError): boolean {
  return error.metadata.has("grpc-status") || error.metadata.has("content-type");
}

/** Whether `error` says the connection to the endpoint may be gone: UNAVAILABLE that no server sent. @private */
export function mayBeConnectionLoss(error: unknown): boolean {
  const connectError = ConnectError.from(error);
  return connectError.code === Code.Unavailable && !sentByServer(connectError);
}

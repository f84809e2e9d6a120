// Connection loss as the caller should see it: a call whose HTTP/2 stream was reset because the
// connection died reports UNAVAILABLE (retryable, endpoint-specific), not CANCELED or ABORTED.
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Returns the error a channel call should fail with. Connect reports a stream reset with CANCEL
 * (what node does to every stream of a session whose socket closed) as CANCELED, and a socket
 * reset (ECONNRESET) as ABORTED; unless the caller aborted or the server sent that status itself
 * (then the error carries response metadata), both are a lost connection: UNAVAILABLE.
 *
 * @private
 */
export function connectionAwareError(error: unknown, signal: AbortSignal | undefined, address: string): unknown {
  const connectError = ConnectError.from(error);
  if (
    (connectError.code !== Code.Canceled && connectError.code !== Code.Aborted) ||
    signal?.aborted === true ||
    sentByServer(connectError)
  ) {
    return error;
  }
  const unavailable = new ConnectError(
    `connection to ${address} lost: ${connectError.rawMessage}`,
    Code.Unavailable,
    connectError.metadata,
    undefined,
    connectError,
  );
  unavailable.details = connectError.details;
  return unavailable;
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

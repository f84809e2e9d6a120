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
    connectError.metadata.has("grpc-status") ||
    connectError.metadata.has("content-type")
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

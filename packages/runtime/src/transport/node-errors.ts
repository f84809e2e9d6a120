// Maps what node:http2 reports (stream reset codes, socket and session errors) to ConnectError
// codes the way Connect's node transports do, and words a failed connection the same on every path.
import { Code, ConnectError } from "@connectrpc/connect";

/** HTTP/2 error codes (RFC 9113 §7) that the fast path looks at. @private */
export const h2 = {
  NO_ERROR: 0,
  PROTOCOL_ERROR: 1,
  INTERNAL_ERROR: 2,
  FLOW_CONTROL_ERROR: 3,
  REFUSED_STREAM: 7,
  CANCEL: 8,
  ENHANCE_YOUR_CALM: 11,
  INADEQUATE_SECURITY: 12,
  HTTP_1_1_REQUIRED: 13,
} as const;

/** The ConnectError for a stream reset with `rstCode`, or undefined for NO_ERROR and STREAM_CLOSED. @private */
export function errorFromRstCode(rstCode: number): ConnectError | undefined {
  const message = `http/2 stream closed with error code 0x${rstCode.toString(16)}`;
  switch (rstCode) {
    case h2.REFUSED_STREAM:
      return new ConnectError(message, Code.Unavailable);
    case h2.CANCEL:
      return new ConnectError(message, Code.Canceled);
    case h2.ENHANCE_YOUR_CALM:
      return new ConnectError(message, Code.ResourceExhausted);
    case h2.INADEQUATE_SECURITY:
    case h2.HTTP_1_1_REQUIRED:
      return new ConnectError(message, Code.PermissionDenied);
    case 1: case 2: case 3: case 4: case 6: case 9: case 10:
      return new ConnectError(message, Code.Internal);
    default:
      return undefined;
  }
}

const unavailableCodes = new Set([
  "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH",
  "ERR_HTTP2_GOAWAY_SESSION", "ERR_HTTP2_INVALID_SESSION", "ERR_HTTP2_SESSION_ERROR", "ERR_HTTP2_STREAM_CANCEL",
  "ERR_HTTP2_ERROR", "ERR_STREAM_PREMATURE_CLOSE",
]);

/** Certificate verification failures node reports by OpenSSL's X509 code name. */
const certificateCodes = new Set([
  "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "CERT_REVOKED",
  "CERT_UNTRUSTED", "CERT_REJECTED", "CERT_SIGNATURE_FAILURE", "INVALID_CA",
]);

/** Whether a node error code says a TLS connection failed (handshake, alert, certificate check). @private */
export function isTlsErrorCode(code: string): boolean {
  return code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_") || certificateCodes.has(code);
}

/** Whether `reason` or one of its causes is a failed TLS connection. @private */
export function isTlsFailure(reason: unknown): boolean {
  let cursor: unknown = reason;
  for (let depth = 0; depth < 5 && cursor instanceof Error; depth++) {
    const code = (cursor as { code?: unknown }).code;
    if (typeof code === "string" && isTlsErrorCode(code)) return true;
    cursor = (cursor as { cause?: unknown }).cause;
  }
  return false;
}

/** Turns any transport failure into a ConnectError (connection-level failures, TLS ones included, become UNAVAILABLE). @private */
export function errorFromNodeReason(reason: unknown): ConnectError {
  if (reason instanceof ConnectError) return reason;
  let code: Code = Code.Internal;
  let cursor: unknown = reason;
  for (let depth = 0; depth < 5 && cursor instanceof Error; depth++) {
    const nodeCode = (cursor as { code?: unknown }).code;
    if (typeof nodeCode === "string" && (unavailableCodes.has(nodeCode) || isTlsErrorCode(nodeCode))) {
      code = Code.Unavailable;
      break;
    }
    cursor = (cursor as { cause?: unknown }).cause;
  }
  const error = ConnectError.from(reason, code);
  if (error !== reason) error.cause = reason;
  return error;
}

/** Codes saying a connection was never established (rather than lost once open). */
const neverConnectedCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** Whether `reason` or one of its causes carries a node error code of a connection never established. */
function neverConnected(reason: unknown): boolean {
  let cursor: unknown = reason;
  for (let depth = 0; depth < 5 && cursor instanceof Error; depth++) {
    const code = (cursor as { code?: unknown }).code;
    if (typeof code === "string" && neverConnectedCodes.has(code)) return true;
    cursor = (cursor as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The error of a call whose connection to `address` failed below the server, worded the same on
 * every transport: UNAVAILABLE, `connection to <address> lost: <cause>` (`… failed: …` when the
 * connection was never established, e.g. ECONNREFUSED). Keeps the cause's metadata and details,
 * and the cause itself as `cause`; an error already worded so for `address` is returned as is.
 *
 * @example
 * connectionError("10.0.0.1:8080", readResetError).message; // "[unavailable] connection to 10.0.0.1:8080 lost: read ECONNRESET"
 */
export function connectionError(address: string, cause: unknown): ConnectError {
  const connectError = ConnectError.from(cause);
  const prefix = `connection to ${address} `;
  if (connectError.code === Code.Unavailable && connectError.rawMessage.startsWith(prefix)) return connectError;
  const verb = neverConnected(cause) ? "failed" : "lost";
  const error = new ConnectError(
    `${prefix}${verb}: ${connectError.rawMessage}`,
    Code.Unavailable,
    connectError.metadata,
    undefined,
    cause,
  );
  error.details = connectError.details;
  return error;
}

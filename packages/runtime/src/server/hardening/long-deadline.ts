// Deadlines too far away for a timer, before Connect's node adapter sees them: the adapter arms a
// setTimeout, which node fires after 1 ms beyond ~24.8 days; such a deadline is dropped instead.
import type { IncomingHttpHeaders } from "node:http2";
import { parseTimeout as parseGrpcTimeout } from "@connectrpc/connect/protocol-grpc";
import { parseTimeout as parseConnectTimeout } from "@connectrpc/connect/protocol-connect";
import { maxTimerDelayMs } from "../../transport/deadline-timer.js";

/**
 * Removes `grpc-timeout` (gRPC, gRPC-Web) and `connect-timeout-ms` (Connect) from `headers` when
 * they are valid but longer than a timer can wait, so the call runs without a deadline as on the
 * fast path and in grpc-js. Malformed values and values over `maxTimeoutMs` are left for the
 * adapter to reject. Returns whether a header was removed.
 * @private
 */
export function dropUnarmableDeadline(headers: IncomingHttpHeaders, maxTimeoutMs: number | undefined): boolean {
  const limit = maxTimeoutMs ?? Number.MAX_SAFE_INTEGER;
  let dropped = false;
  const grpc = headers["grpc-timeout"];
  if (typeof grpc === "string" && tooFar(parseGrpcTimeout(grpc, limit))) {
    delete headers["grpc-timeout"];
    dropped = true;
  }
  const connect = headers["connect-timeout-ms"];
  if (typeof connect === "string" && tooFar(parseConnectTimeout(connect, limit))) {
    delete headers["connect-timeout-ms"];
    dropped = true;
  }
  return dropped;
}

const tooFar = (timeout: { timeoutMs?: number; error?: unknown }): boolean =>
  timeout.error === undefined && timeout.timeoutMs !== undefined && timeout.timeoutMs > maxTimerDelayMs;

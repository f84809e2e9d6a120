// Deadlines too far away for a timer, before Connect's node adapter sees them: the adapter arms a
// setTimeout, which node fires after 1 ms (with a TimeoutOverflowWarning) beyond ~24.8 days.
import type { IncomingHttpHeaders } from "node:http2";
import { parseConnectTimeout, parseGrpcTimeout } from "../../internals/private-apis.js";
import { maxTimerDelayMs } from "../../transport/deadline-timer.js";

/** The longest `grpc-timeout` (at most 8 digits) a timer can wait: 2,147,483 s. */
const longestGrpcTimeout = `${Math.floor(maxTimerDelayMs / 1000)}S`;

/** What {@link fitDeadlineToTimer} did. @private */
export type DeadlineFit = "dropped" | "clamped" | "kept";

/**
 * Makes `grpc-timeout` (gRPC, gRPC-Web) and `connect-timeout-ms` (Connect) safe for the adapter's
 * timer. A valid deadline longer than a timer can wait is dropped, so the call runs without one as
 * on the fast path and in grpc-js; if it is also over `maxTimeoutMs` it is clamped to the longest
 * a timer can wait instead, which the adapter still refuses (INVALID_ARGUMENT, citing the clamped
 * value). Malformed values are left for the adapter to refuse.
 * @private
 */
export function fitDeadlineToTimer(headers: IncomingHttpHeaders, maxTimeoutMs: number | undefined): DeadlineFit {
  const limit = maxTimeoutMs ?? Number.MAX_SAFE_INTEGER;
  let fit: DeadlineFit = "kept";
  const grpc = headers["grpc-timeout"];
  if (typeof grpc === "string") {
    const { timeoutMs, error } = parseGrpcTimeout(grpc, Number.MAX_SAFE_INTEGER);
    if (error === undefined && timeoutMs !== undefined && timeoutMs > maxTimerDelayMs) {
      fit = timeoutMs > limit ? "clamped" : "dropped";
      if (fit === "clamped") headers["grpc-timeout"] = longestGrpcTimeout;
      else delete headers["grpc-timeout"];
    }
  }
  const connect = headers["connect-timeout-ms"];
  if (typeof connect === "string") {
    const { timeoutMs, error } = parseConnectTimeout(connect, Number.MAX_SAFE_INTEGER);
    if (error === undefined && timeoutMs !== undefined && timeoutMs > maxTimerDelayMs) {
      fit = timeoutMs > limit ? "clamped" : "dropped";
      if (fit === "clamped") headers["connect-timeout-ms"] = String(maxTimerDelayMs);
      else delete headers["connect-timeout-ms"];
    }
  }
  return fit;
}

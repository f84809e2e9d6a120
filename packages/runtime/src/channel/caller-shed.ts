// The error of a call the channel sheds itself (every endpoint at its client-side limit): a
// RESOURCE_EXHAUSTED ConnectError made without a stack trace, and the test telling it from a server's.
import { Code, ConnectError } from "@connectrpc/connect";

/** Marks an error as shed by the caller's own channel; a registered symbol, so copies of the runtime agree. */
const shedAtCaller = Symbol.for("sluice.shedAtCaller");

/**
 * A RESOURCE_EXHAUSTED error for a call the channel did not send because every endpoint was at its
 * client-side concurrency limit. It carries no stack trace: under overload most calls end here, and
 * capturing one was most of a shed's cost (the message says where the call was shed); it carries
 * no metadata, so no `grpc-retry-pushback-ms` either.
 *
 * @private
 */
export function callerShedError(message: string): ConnectError {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let error: ConnectError;
  try {
    error = new ConnectError(message, Code.ResourceExhausted);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  (error as { [shedAtCaller]?: boolean })[shedAtCaller] = true; // a symbol: JSON and Object.keys skip it
  return error;
}

/**
 * Whether `error` is a call the caller's own channel shed (its `endpointLimit` was reached on
 * every endpoint, or its limit queue was full or timed out) rather than an answer from a server:
 * nothing was sent. Both are RESOURCE_EXHAUSTED; a server's shed carries the server's
 * `grpc-retry-pushback-ms` in its metadata, a caller's none.
 *
 * @example
 * ```ts
 * try { await client.getItem(request); }
 * catch (e) { if (isShedAtCaller(e)) metrics.shedLocally++; else throw e; }
 * ```
 */
export function isShedAtCaller(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { [shedAtCaller]?: unknown })[shedAtCaller] === true;
}

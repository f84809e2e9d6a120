// A client's request stream, made to fail its call with its own error: when the source (an
// Observable bridge or the caller's AsyncIterable) throws, the call is aborted with that error.
import { ConnectError } from "@connectrpc/connect";
import type { LinkedAbort } from "../call/linked-abort.js";

/**
 * Returns an iterable over `input` that aborts `call` with the source's error (as a
 * `ConnectError`, code kept) before its reader (the transport's request pump) sees the failure, so
 * the caller sees that code rather than whatever the transport makes of a broken request pump.
 *
 * @private
 */
export function abortOnFailure<T>(input: AsyncIterable<T>, call: LinkedAbort): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const it = input[Symbol.asyncIterator]();
      const onFailure = (error: unknown): void => call.abort(ConnectError.from(error));
      return {
        next() {
          // The source's own promise goes on (no extra hop per message); the abort is a side branch,
          // registered first, so it happens before the transport sees the failure.
          const result = it.next();
          result.then(undefined, onFailure);
          return result;
        },
        return(value?: unknown) {
          return it.return?.(value) ?? Promise.resolve({ done: true, value: value as T });
        },
        throw(error?: unknown) {
          return it.throw?.(error) ?? Promise.reject(error);
        },
      };
    },
  };
}

// A client's request stream, made to fail its call with its own error: when the source (an
// Observable bridge or the caller's AsyncIterable) throws, the call is aborted with that error.
import { ConnectError } from "@connectrpc/connect";
import type { LinkedAbort } from "../call/linked-abort.js";

/**
 * Returns an iterable over `input` that aborts `call` with the source's error (as a
 * `ConnectError`, code kept) before passing it on, so the caller sees that code rather than
 * whatever the transport makes of a broken request pump.
 *
 * @private
 */
export function abortOnFailure<T>(input: AsyncIterable<T>, call: LinkedAbort): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const it = input[Symbol.asyncIterator]();
      return {
        next() {
          return it.next().catch((error: unknown) => {
            const reason = ConnectError.from(error);
            call.abort(reason);
            throw reason;
          });
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

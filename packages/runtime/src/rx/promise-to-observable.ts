// A cold single-value Observable over a call that answers once (unary, client streaming):
// subscribing starts the call, unsubscribing before the answer cancels it.
import { ConnectError } from "@connectrpc/connect";
import { Observable } from "rxjs";
import { linkAbort } from "../call/linked-abort.js";

/**
 * Returns a cold Observable: each subscription calls `start(signal)`, emits its result once and
 * completes, or errors with a `ConnectError`. Unsubscribing first aborts `signal` (CANCELED);
 * `signal` also follows `parent` while the call runs.
 *
 * @example
 * ```ts
 * const item$ = promiseToObservable((signal) => client.getItem({ sku }, { signal }));
 * ```
 */
export function promiseToObservable<T>(start: (signal: AbortSignal) => Promise<T>, parent?: AbortSignal): Observable<T> {
  return new Observable<T>((subscriber) => {
    const call = linkAbort(parent);
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      call.release();
      return true;
    };
    let running: Promise<T>;
    try {
      running = start(call.signal);
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (value) => {
        if (!settle()) return;
        subscriber.next(value);
        subscriber.complete();
      },
      (error: unknown) => {
        if (settle()) subscriber.error(ConnectError.from(error));
      },
    );
    return () => {
      if (settled) return;
      settled = true;
      call.abort();
    };
  });
}

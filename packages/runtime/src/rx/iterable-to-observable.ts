// A cold Observable over an AsyncIterable that pulls one message at a time, only after the
// subscriber has taken the previous one, and stops (and cancels the source) on unsubscribe.
import { ConnectError } from "@connectrpc/connect";
import { Observable } from "rxjs";
import { linkAbort } from "../call/linked-abort.js";
import { notReady, readySourceOf, takeReady } from "../call/ready-values.js";

/**
 * Returns a cold Observable: each subscription calls `open(signal)` and reads the iterable it
 * returns, emitting each message and pulling the next only when the subscriber's `next` has
 * returned (a subscriber that blocks slows the source down; nothing is read ahead). Errors reach
 * the error channel as `ConnectError`; the end of the iterable completes. Messages the iterator
 * already holds (a Sluice response stream's queued messages: the ready-values protocol) are emitted
 * one after another without a promise each, still each only after `next` returned. Unsubscribing aborts
 * `signal` (reason: CANCELED) and calls the iterator's `return()`; `signal` also follows `parent`
 * (a caller's abort signal) while the subscription lasts.
 *
 * @example
 * ```ts
 * const levels$ = iterableToObservable((signal) => client.watchStock(requests, { signal }));
 * ```
 */
export function iterableToObservable<T>(open: (signal: AbortSignal) => AsyncIterable<T>, parent?: AbortSignal): Observable<T> {
  return new Observable<T>((subscriber) => {
    const call = linkAbort(parent);
    let iterator: AsyncIterator<T> | undefined;
    let stopped = false;
    const pump = async (): Promise<void> => {
      try {
        iterator = open(call.signal)[Symbol.asyncIterator]();
        const ready = readySourceOf(iterator);
        for (;;) {
          const result = await iterator.next();
          if (stopped) return;
          if (result.done === true) break;
          subscriber.next(result.value);
          if (stopped) return;
          if (ready === undefined) continue;
          for (let value = ready[takeReady](); value !== notReady; value = ready[takeReady]()) {
            subscriber.next(value as T);
            if (stopped) return;
          }
        }
        stopped = true;
        call.release();
        subscriber.complete();
      } catch (error) {
        if (stopped) return;
        stopped = true;
        call.release();
        subscriber.error(ConnectError.from(error));
      }
    };
    void pump();
    return () => {
      if (stopped) return;
      stopped = true;
      call.abort();
      void iterator?.return?.()?.catch(() => undefined);
    };
  });
}

// Bridges a push source (an rxjs Observable) to a pulled stream through a bounded buffer with an
// explicit overflow strategy, so a fast Observable never grows memory past the bound.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Observable, Subscription } from "rxjs";
import { resolveBufferOptions, type ObservableBufferOptions } from "./buffer-options.js";
import { RingQueue } from "../call/ring-queue.js";

/** The error a full buffer with overflow `"error"` ends the stream with. @private */
export function overflowError(bufferSize: number): ConnectError {
  return new ConnectError(
    `the Observable emitted more than ${bufferSize} messages ahead of the stream (buffer full, overflow "error"); ` +
      `raise bufferSize, choose overflow "drop-oldest" or "drop-newest", or pass an AsyncIterable, which is pulled`,
    Code.ResourceExhausted,
  );
}

/**
 * Returns an AsyncIterable over `source`. Each iteration subscribes once (on its first `next()`)
 * and holds at most `bufferSize` messages the reader has not taken yet; a message arriving at a full
 * buffer is handled by `overflow`. An error from `source` ends the iteration with it as a
 * `ConnectError` (its code kept); `return()` and `throw()` unsubscribe.
 *
 * @example
 * ```ts
 * const requests = observableToIterable(clicks$, { bufferSize: 64, overflow: "drop-oldest" });
 * await client.updateStock(requests);
 * ```
 */
export function observableToIterable<T>(source: Observable<T>, options?: ObservableBufferOptions): AsyncIterable<T> {
  const { bufferSize, overflow } = resolveBufferOptions(options, "observable buffer");
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const queue = new RingQueue<T>(bufferSize);
      let subscription: Subscription | undefined;
      let completed = false;
      let failure: ConnectError | undefined;
      let closed = false;
      let waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;

      const settle = (): void => {
        const w = waiter;
        if (w === undefined) return;
        if (queue.length > 0) {
          waiter = undefined;
          w.resolve({ done: false, value: queue.shift() as T });
        } else if (failure !== undefined) {
          waiter = undefined;
          w.reject(failure);
        } else if (completed || closed) {
          waiter = undefined;
          w.resolve({ done: true, value: undefined });
        }
      };
      const fail = (error: ConnectError): void => {
        if (completed || failure !== undefined) return;
        failure = error;
        queue.clear();
        subscription?.unsubscribe();
        settle();
      };
      const subscribe = (): void => {
        subscription = source.subscribe({
          next(value) {
            if (closed || completed || failure !== undefined) return;
            if (waiter !== undefined) {
              const w = waiter;
              waiter = undefined;
              w.resolve({ done: false, value });
              return;
            }
            if (queue.push(value)) return;
            if (overflow === "drop-oldest") {
              queue.shift();
              queue.push(value);
            } else if (overflow === "error") {
              fail(overflowError(bufferSize));
            }
            // "drop-newest": the arriving message is discarded.
          },
          error(error: unknown) {
            fail(ConnectError.from(error));
          },
          complete() {
            if (failure !== undefined) return;
            completed = true;
            settle();
          },
        });
        // A source that failed synchronously during subscribe() could not be unsubscribed then.
        if (failure !== undefined) subscription.unsubscribe();
      };
      const close = (): void => {
        closed = true;
        subscription?.unsubscribe();
        queue.clear();
        settle();
      };
      return {
        next(): Promise<IteratorResult<T>> {
          if (!closed && subscription === undefined) subscribe();
          if (queue.length > 0) return Promise.resolve({ done: false, value: queue.shift() as T });
          if (failure !== undefined) return Promise.reject(failure);
          if (completed || closed) return Promise.resolve({ done: true, value: undefined });
          return new Promise((resolve, reject) => {
            waiter = { resolve, reject };
          });
        },
        return(value?: unknown): Promise<IteratorResult<T>> {
          close();
          return Promise.resolve({ done: true, value: value as T });
        },
        // Connect's transports expect throw() on request iterators: it ends the iteration too.
        throw(error?: unknown): Promise<IteratorResult<T>> {
          close();
          return Promise.reject(error);
        },
      };
    },
  };
}

// Ends an iteration when a signal aborts: the iterator's return() runs (so an Observable behind it
// is unsubscribed), and the listener is removed when the iteration ends on its own.

/**
 * Returns an iterable over `source` whose iterator is closed with `return()` as soon as `signal`
 * aborts, even while a `next()` is pending (that `next()` then resolves done).
 *
 * @private
 */
export function closeOnAbort<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const it = source[Symbol.asyncIterator]();
      let closed = false;
      const close = (): Promise<IteratorResult<T>> => {
        if (closed) return Promise.resolve({ done: true, value: undefined });
        closed = true;
        signal.removeEventListener("abort", onAbort);
        return Promise.resolve(it.return?.()).then(
          () => ({ done: true, value: undefined }) as IteratorResult<T>,
          () => ({ done: true, value: undefined }) as IteratorResult<T>,
        );
      };
      const onAbort = (): void => void close();
      if (signal.aborted) void close();
      else signal.addEventListener("abort", onAbort, { once: true });
      return {
        next() {
          if (closed) return Promise.resolve({ done: true, value: undefined });
          return it.next().then(
            (result) => {
              if (result.done === true) {
                closed = true;
                signal.removeEventListener("abort", onAbort);
              }
              return result;
            },
            (error: unknown) => {
              closed = true;
              signal.removeEventListener("abort", onAbort);
              throw error;
            },
          );
        },
        return: close,
        throw(error?: unknown) {
          return close().then(() => Promise.reject(error));
        },
      };
    },
  };
}

// Wraps a response stream so that leaving it early (break, return, throw in a for-await loop)
// cancels the call: Connect's own client and run-call helpers hand out iterables without return().
import type { LinkedAbort } from "./linked-abort.js";
import { notReady, readySourceOf, takeReady, type ReadySource } from "./ready-values.js";
import { endWatchableOf, watchEnd, type EndWatchable } from "./end-watch.js";

/**
 * Returns an iterable over `source` whose iterator's `return()` and `throw()` abort `call` (the
 * transport below then resets the HTTP/2 stream and the server's handler sees its signal abort)
 * and close `source`. `onEnd` runs once when the stream ends, fails or is left.
 *
 * @private
 */
export function cancelableIterable<T>(
  source: AsyncIterable<T>,
  call: LinkedAbort,
  onEnd?: (completed: boolean) => void,
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> & ReadySource & EndWatchable {
      const it = source[Symbol.asyncIterator]();
      let over = false;
      const end = (completed: boolean): void => {
        if (over) return;
        over = true;
        call.release();
        onEnd?.(completed);
      };
      const onResult = (result: IteratorResult<T>): void => {
        if (result.done === true) end(true);
      };
      const onFailure = (): void => end(false);
      const leave = async (): Promise<void> => {
        const wasOver = over;
        end(false);
        if (!wasOver) call.abort();
        try {
          await it.return?.();
        } catch {
          // The call is cancelled; what the source says about it no longer matters.
        }
      };
      const ready = readySourceOf(it);
      const watchable = endWatchableOf(it);
      const watcher = { ended: (failure: unknown): void => end(failure === undefined) };
      /** Whether the source reports the end to `watcher` (a lazily started call can only once it has started). */
      let watched = false;
      /** A message the source holds already (ready-values.ts), or notReady. */
      const takeFromSource = (): unknown => (over || ready === undefined ? notReady : ready[takeReady]());
      return {
        next() {
          if (over) return Promise.resolve({ done: true, value: undefined });
          // A message held already cannot be the end: no side branch to watch for it.
          const value = takeFromSource();
          if (value !== notReady) return Promise.resolve({ done: false, value: value as T });
          // The source's own promise goes to the caller (no extra hop per message); the end of the
          // stream is reported by the source, or noticed on a side branch.
          const result = it.next();
          // Installed after the source's next(), so wrappers below report first, as their side branches did.
          watched ||= watchable?.[watchEnd](watcher) === true;
          if (!watched) result.then(onResult, onFailure);
          return result;
        },
        [takeReady]: takeFromSource,
        [watchEnd]: (outer) => watchable?.[watchEnd](outer) === true,
        async return(value?: unknown) {
          await leave();
          return { done: true, value: value as T };
        },
        async throw(error?: unknown) {
          await leave();
          throw error;
        },
      };
    },
  };
}

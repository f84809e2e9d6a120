// A channel's view of one streaming call's response messages: notes the first message, words a failure
// for the caller and reports the end once, with one promise reaction per message (no async generator).
import { notReady, readySourceOf, takeReady, type ReadySource } from "../call/ready-values.js";
import { endWatchableOf, watchEnd, type EndWatchable } from "../call/end-watch.js";

/** What {@link trackedMessages} reports about the stream it wraps. @private */
export interface MessageTracking {
  /** The first message arrived. */
  onFirst(): void;
  /** The error the caller sees for `error`, a failure of the source. */
  mapError(error: unknown): unknown;
  /** The stream ended: read to its end or left (`failure` undefined), or failed with `failure` (mapped). Called once. */
  onEnd(failure: unknown): void;
}

/**
 * Returns `messages` as the caller reads them: a message the source already holds (ready-values.ts)
 * is answered at once, and can be taken without a promise; any other `next()` is the source's own
 * result passed on through one reaction (a `yield*` generator would spend several promises and microtask turns per
 * message), a rejection is replaced by `tracking.mapError`'s answer, and `tracking.onEnd` runs once —
 * before the caller sees the end, the failure, or the result of its `return()`/`throw()`. After the
 * end, `next()` answers done, as a finished generator does. A source that reports its end itself
 * (end-watch.ts) maps and reports it there, and after the first message its promises go to the
 * caller as they are: no reaction per message.
 * @private
 */
export function trackedMessages<T>(messages: AsyncIterable<T>, tracking: MessageTracking): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> & ReadySource & EndWatchable {
      const it = messages[Symbol.asyncIterator]();
      let first = true;
      let over = false;
      const end = (failure: unknown): void => {
        if (over) return;
        over = true;
        tracking.onEnd(failure);
      };
      const onResult = (result: IteratorResult<T>): IteratorResult<T> => {
        if (result.done === true) end(undefined);
        else if (first) {
          first = false;
          tracking.onFirst();
        }
        return result;
      };
      const onFailure = (error: unknown): never => {
        const failure = tracking.mapError(error);
        end(failure);
        throw failure;
      };
      /** Closes the source with `close` (its return or throw), then reports the end. */
      const leave = async (close: (() => Promise<IteratorResult<T>> | undefined) | undefined, value: unknown): Promise<IteratorResult<T>> => {
        if (over) return { done: true, value: value as T };
        try {
          await close?.();
        } catch (error) {
          onFailure(error);
        }
        end(undefined);
        return { done: true, value: value as T };
      };
      const ready = readySourceOf(it);
      const watchable = endWatchableOf(it);
      /** Whether the source reports the end and maps a failure through `tracking` itself. */
      const watched = watchable?.[watchEnd]({ mapError: (error) => tracking.mapError(error), ended: end }) === true;
      /** Notes the first message of a watched source (its failure is mapped and reported already). */
      const noteFirst = (result: IteratorResult<T>): IteratorResult<T> => {
        if (result.done !== true && first) {
          first = false;
          tracking.onFirst();
        }
        return result;
      };
      /** A message the source holds already, taken without a promise, or notReady. */
      const takeFromSource = (): unknown => {
        if (over || ready === undefined) return notReady;
        const value = ready[takeReady]();
        if (value !== notReady && first) {
          first = false;
          tracking.onFirst();
        }
        return value;
      };
      return {
        next() {
          if (over) return Promise.resolve({ done: true, value: undefined });
          const value = takeFromSource();
          if (value !== notReady) return Promise.resolve({ done: false, value: value as T });
          if (watched) return first ? it.next().then(noteFirst) : it.next();
          return it.next().then(onResult, onFailure);
        },
        [takeReady]: takeFromSource,
        [watchEnd]: (watcher) => watched && watchable![watchEnd](watcher),
        return(value?: unknown) {
          return leave(it.return === undefined ? undefined : () => it.return!(value), value);
        },
        async throw(error?: unknown) {
          await leave(it.return === undefined ? undefined : () => it.return!(), undefined);
          throw error;
        },
      };
    },
  };
}

// An internal protocol for async iterators that tell the wrappers above them when their reader is
// handed the end or a failure, so a wrapper needs no promise reaction per message to watch for it.

/** The method key of {@link EndWatchable}. @private */
export const watchEnd: unique symbol = Symbol("sluice.watchEnd");

/** What a wrapper installs on an {@link EndWatchable} source. @private */
export interface EndWatcher {
  /** Replaces a failure before the reader, and the watchers installed after this one, see it; optional. */
  mapError?(error: unknown): unknown;
  /** The reader is being handed the end (`failure` undefined) or `failure` (as mapped). Called at most once. */
  ended(failure: unknown): void;
}

/**
 * An AsyncIterator that reports its terminal result to installed watchers, synchronously, before the
 * reader's reaction to it runs. `[watchEnd]` answers whether the watcher was installed (a source may
 * be unable to watch yet, e.g. a call not started: the wrapper then watches its results itself).
 * @private
 */
export interface EndWatchable {
  [watchEnd](watcher: EndWatcher): boolean;
}

/** `iterator` as an {@link EndWatchable}, or undefined when it does not implement the protocol. @private */
export function endWatchableOf(iterator: object): EndWatchable | undefined {
  return typeof (iterator as Partial<EndWatchable>)[watchEnd] === "function" ? (iterator as EndWatchable) : undefined;
}

/**
 * The watchers of one source, for the source's own use: it calls {@link EndWatchers.end} or
 * {@link EndWatchers.fail} where it hands its reader the end or a failure; only the first call counts.
 * @private
 */
export class EndWatchers {
  private readonly watchers: EndWatcher[] = [];
  private reported = false;

  /** Installs `watcher` (in order: the first installed maps a failure first); false once the end was reported. */
  add(watcher: EndWatcher): boolean {
    if (this.reported) return false;
    this.watchers.push(watcher);
    return true;
  }

  /** The reader is handed the end. */
  end(): void {
    if (this.reported) return;
    this.reported = true;
    for (const watcher of this.watchers) watcher.ended(undefined);
  }

  /** The reader is handed `error`: returns it as the watchers mapped it (the first time; as it is after). */
  fail(error: unknown): unknown {
    if (this.reported) return error;
    this.reported = true;
    let failure = error;
    for (const watcher of this.watchers) {
      if (watcher.mapError !== undefined) failure = watcher.mapError(failure);
      watcher.ended(failure);
    }
    return failure;
  }
}

// An internal protocol for async iterators that hold values already: a consumer takes them one by
// one without a promise each (the fast server path batches a hub subscriber's queue this way).

/** The method key of {@link ReadySource}. @private */
export const takeReady: unique symbol = Symbol("sluice.takeReady");

/** What `[takeReady]()` returns when no value is ready. @private */
export const notReady: unique symbol = Symbol("sluice.notReady");

/**
 * An AsyncIterator that can hand over a value it already holds synchronously, in the order `next()`
 * would have; `[takeReady]()` answers {@link notReady} when `next()` would wait, end or throw.
 * Never called while a `next()` is pending.
 * @private
 */
export interface ReadySource {
  [takeReady](): unknown;
}

/** `iterator` as a {@link ReadySource}, or undefined when it does not implement the protocol. @private */
export function readySourceOf(iterator: object): ReadySource | undefined {
  return typeof (iterator as Partial<ReadySource>)[takeReady] === "function" ? (iterator as ReadySource) : undefined;
}

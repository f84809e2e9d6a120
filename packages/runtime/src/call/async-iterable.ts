// A small async iterable over an array, iterable more than once (a call sent again reads its
// request again); Connect's own helper for this is marked private.

/** An async iterable over `items`; each iteration starts from the first item. @private */
export function iterableOf<T>(items: readonly T[]): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      yield* items;
    },
  };
}

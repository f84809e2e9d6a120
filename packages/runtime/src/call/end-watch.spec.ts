import { EndWatchers, endWatchableOf, watchEnd, type EndWatchable } from "./end-watch.js";
import { cancelableIterable } from "./cancelable-iterable.js";
import { linkAbort } from "./linked-abort.js";
import { trackedMessages } from "../channel/tracked-messages.js";

/**
 * A source of `values` that reports its end (or `failure` after the values) to watchers, and counts
 * how many reactions were attached to the promises it handed out.
 */
function watchableSource(values: number[], failure?: Error) {
  const watchers = new EndWatchers();
  let reactions = 0;
  const counted = <R>(promise: Promise<R>): Promise<R> => {
    const then = promise.then.bind(promise);
    promise.then = ((onFulfilled, onRejected) => {
      reactions++;
      return then(onFulfilled, onRejected);
    }) as typeof promise.then;
    return promise;
  };
  const iterator: AsyncIterator<number> & EndWatchable = {
    next() {
      const value = values.shift();
      if (value !== undefined) return counted(Promise.resolve({ done: false, value }));
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        return counted(Promise.reject(watchers.fail(error)));
      }
      watchers.end();
      return counted(Promise.resolve({ done: true, value: undefined }));
    },
    [watchEnd]: (watcher) => watchers.add(watcher),
  };
  return { iterable: { [Symbol.asyncIterator]: () => iterator }, reactions: () => reactions };
}

describe("EndWatchers", () => {
  it("maps a failure through the watchers in the order installed and reports it to each once", () => {
    const watchers = new EndWatchers();
    const seen: string[] = [];
    watchers.add({ mapError: (e) => `${String(e)}>a`, ended: (f) => seen.push(`a:${String(f)}`) });
    watchers.add({ ended: (f) => seen.push(`b:${String(f)}`) });
    watchers.add({ mapError: (e) => `${String(e)}>c`, ended: (f) => seen.push(`c:${String(f)}`) });
    expect(watchers.fail("x")).toBe("x>a>c");
    expect(seen).toEqual(["a:x>a", "b:x>a", "c:x>a>c"]);
    expect(watchers.fail("y")).toBe("y");
    watchers.end();
    expect(seen).toHaveLength(3);
    expect(watchers.add({ ended: () => seen.push("late") })).toBe(false);
  });

  it("finds the protocol only on iterators that implement it", () => {
    expect(endWatchableOf({ [watchEnd]: () => true })).toBeDefined();
    expect(endWatchableOf({ next: () => Promise.resolve({ done: true, value: undefined }) })).toBeUndefined();
  });
});

describe("wrappers over a source that reports its end", () => {
  it("pass every message's promise through tracked and cancelable wrappers without a reaction of their own after the first", async () => {
    const source = watchableSource([1, 2, 3, 4, 5]);
    const events: string[] = [];
    const call = linkAbort(undefined);
    const tracked = trackedMessages(source.iterable, {
      onFirst: () => events.push("first"),
      mapError: (e) => e,
      onEnd: (failure) => events.push(`tracked end:${failure === undefined ? "ok" : "failed"}`),
    });
    const wrapped = cancelableIterable(cancelableIterable(tracked, call, (completed) => events.push(`inner end:${completed}`)), linkAbort(undefined), (completed) =>
      events.push(`outer end:${completed}`),
    );
    const seen: number[] = [];
    for await (const value of wrapped) seen.push(value);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    // The first message's promise is watched for onFirst; for-await's own await is not a `.then` call.
    expect(source.reactions()).toBe(1);
    expect(events).toEqual(["first", "tracked end:ok", "inner end:true", "outer end:true"]);
    expect(call.signal.aborted).toBe(false);
  });

  it("hand the caller a failure mapped by the tracking and report it before the caller sees it", async () => {
    const source = watchableSource([1], new Error("boom"));
    const events: string[] = [];
    const tracked = trackedMessages(source.iterable, {
      onFirst: () => events.push("first"),
      mapError: (e) => new Error(`mapped ${(e as Error).message}`),
      onEnd: (failure) => events.push(`end:${(failure as Error | undefined)?.message ?? "ok"}`),
    });
    const it = cancelableIterable(tracked, linkAbort(undefined), (completed) => events.push(`cancelable end:${completed}`))[Symbol.asyncIterator]();
    await expect(it.next()).resolves.toEqual({ done: false, value: 1 });
    const failed = it.next();
    expect(events).toEqual(["first", "end:mapped boom", "cancelable end:false"]);
    await expect(failed).rejects.toThrow("mapped boom");
    await expect(it.next()).resolves.toEqual({ done: true, value: undefined });
  });
});

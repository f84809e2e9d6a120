import { trackedMessages, type MessageTracking } from "./tracked-messages.js";
import { cancelableIterable } from "../call/cancelable-iterable.js";
import { linkAbort } from "../call/linked-abort.js";
import { notReady, readySourceOf, takeReady } from "../call/ready-values.js";

/** Tracking hooks that record what they were told. */
function recorder(mapError: (error: unknown) => unknown = (e) => e) {
  const events: string[] = [];
  const tracking: MessageTracking = {
    onFirst: () => events.push("first"),
    mapError: (error) => mapError(error),
    onEnd: (failure) => events.push(`end:${failure === undefined ? "ok" : String((failure as Error).message)}`),
  };
  return { events, tracking };
}

async function* source(values: number[], failure?: Error): AsyncGenerator<number> {
  yield* values;
  if (failure !== undefined) throw failure;
}

describe("trackedMessages", () => {
  it("passes every message through, notes the first one once and reports a clean end before the caller sees done", async () => {
    const { events, tracking } = recorder();
    const it = trackedMessages(source([1, 2, 3]), tracking)[Symbol.asyncIterator]();
    const seen: number[] = [];
    for (let r = await it.next(); r.done !== true; r = await it.next()) seen.push(r.value);
    expect(seen).toEqual([1, 2, 3]);
    expect(events).toEqual(["first", "end:ok"]);
    await expect(it.next()).resolves.toEqual({ done: true, value: undefined });
    expect(events).toEqual(["first", "end:ok"]);
  });

  it("replaces a failure with the mapped error, reports it once, and answers done afterwards", async () => {
    const { events, tracking } = recorder((e) => new Error(`mapped ${(e as Error).message}`));
    const it = trackedMessages(source([1], new Error("boom")), tracking)[Symbol.asyncIterator]();
    await expect(it.next()).resolves.toEqual({ done: false, value: 1 });
    await expect(it.next()).rejects.toThrow("mapped boom");
    await expect(it.next()).resolves.toEqual({ done: true, value: undefined });
    expect(events).toEqual(["first", "end:mapped boom"]);
  });

  it("closes the source on return() and reports the end before return() resolves", async () => {
    const { events, tracking } = recorder();
    let closed = false;
    const inner = source([1, 2, 3]);
    const closing = inner.return.bind(inner);
    inner.return = (value) => ((closed = true), closing(value));
    const it = trackedMessages({ [Symbol.asyncIterator]: () => inner }, tracking)[Symbol.asyncIterator]();
    await it.next();
    await expect(it.return!()).resolves.toEqual({ done: true, value: undefined });
    expect(closed).toBe(true);
    expect(events).toEqual(["first", "end:ok"]);
    await expect(it.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it("hands over messages its source holds already without asking the source's next(), through a cancelable wrapper too", async () => {
    const held = [1, 2];
    let nextCalls = 0;
    const readySource: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          nextCalls++;
          return Promise.resolve(held.length > 0 ? { done: false, value: held.shift() as number } : { done: true, value: undefined });
        },
        [takeReady]: () => (held.length > 0 ? held.shift() : notReady),
      }),
    };
    const { events, tracking } = recorder();
    const call = linkAbort(undefined);
    const it = cancelableIterable(trackedMessages(readySource, tracking), call)[Symbol.asyncIterator]();
    expect(readySourceOf(it)?.[takeReady]()).toBe(1);
    await expect(it.next()).resolves.toEqual({ done: false, value: 2 });
    expect(nextCalls).toBe(0);
    expect(readySourceOf(it)?.[takeReady]()).toBe(notReady);
    await expect(it.next()).resolves.toEqual({ done: true, value: undefined });
    expect(nextCalls).toBe(1);
    expect(events).toEqual(["first", "end:ok"]);
    expect(call.signal.aborted).toBe(false);
  });
});

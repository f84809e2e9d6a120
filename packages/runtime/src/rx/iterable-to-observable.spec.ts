import { Code, ConnectError } from "@connectrpc/connect";
import { lastValueFrom, take, toArray } from "rxjs";
import { notReady, takeReady } from "../call/ready-values.js";
import { iterableToObservable } from "./iterable-to-observable.js";
import { promiseToObservable } from "./promise-to-observable.js";

/**
 * An async iterable of 0…count-1 that records how often it was pulled and whether it was closed.
 * With `batch`, its iterator also hands over values it holds (the ready-values protocol): all but
 * every `batch`-th are ready at once, and it records those takes too.
 */
function counted(count: number, batch?: number) {
  const log = { pulls: 0, takes: 0, returned: false, takesAfterReturn: 0 };
  const iterable: AsyncIterable<number> = {
    [Symbol.asyncIterator]() {
      let i = 0;
      const iterator = {
        next: () => {
          log.pulls++;
          return Promise.resolve(i < count ? { done: false as const, value: i++ } : { done: true as const, value: undefined });
        },
        return: () => {
          log.returned = true;
          return Promise.resolve({ done: true as const, value: undefined });
        },
      };
      if (batch === undefined) return iterator;
      const take = (): number | typeof notReady => {
        if (log.returned) log.takesAfterReturn++;
        if (i >= count || i % batch === 0) return notReady;
        log.takes++;
        return i++;
      };
      return { ...iterator, [takeReady]: take };
    },
  };
  return { iterable, log };
}

describe("iterableToObservable", () => {
  it("is cold: nothing is read before subscribe", () => {
    const { iterable, log } = counted(3);
    iterableToObservable(() => iterable);
    expect(log.pulls).toBe(0);
  });

  it("pulls the next message only after the subscriber has taken the previous one", async () => {
    const { iterable, log } = counted(5);
    const pullsSeen: number[] = [];
    await new Promise<void>((resolve) =>
      iterableToObservable(() => iterable).subscribe({ next: () => pullsSeen.push(log.pulls), complete: resolve }),
    );
    expect(pullsSeen).toEqual([1, 2, 3, 4, 5]);
  });

  it("completes at the end and passes every message in order", async () => {
    const { iterable } = counted(4);
    expect(await lastValueFrom(iterableToObservable(() => iterable).pipe(toArray()))).toEqual([0, 1, 2, 3]);
  });

  it("unsubscribing aborts the signal given to open() with CANCELED and closes the iterator", async () => {
    const { iterable, log } = counted(100);
    let signal: AbortSignal | undefined;
    await lastValueFrom(
      iterableToObservable((s) => {
        signal = s;
        return iterable;
      }).pipe(take(2)),
    );
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as ConnectError).code).toBe(Code.Canceled);
    expect(log.returned).toBe(true);
    expect(log.pulls).toBe(2);
  });

  it("emits values the iterator already holds without a next() each, in order, each after the previous next() returned", async () => {
    const { iterable, log } = counted(40, 10);
    const seen: Array<{ value: number; pulls: number; takes: number }> = [];
    await new Promise<void>((resolve) =>
      iterableToObservable(() => iterable).subscribe({ next: (value) => seen.push({ value, pulls: log.pulls, takes: log.takes }), complete: resolve }),
    );
    expect(seen.map((s) => s.value)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // One next() per batch of 10 (and one for the end); the other 9 of each were taken when ready.
    expect(log.pulls).toBe(5);
    expect(log.takes).toBe(36);
    // Nothing is read ahead: when a value is emitted, exactly the values before it were read.
    expect(seen.every((s) => s.pulls + s.takes === s.value + 1)).toBe(true);
  });

  it("stops taking ready values once the subscriber has unsubscribed", async () => {
    const { iterable, log } = counted(100, 50);
    expect(await lastValueFrom(iterableToObservable(() => iterable).pipe(take(3), toArray()))).toEqual([0, 1, 2]);
    expect(log.pulls + log.takes).toBe(3);
    expect(log.returned).toBe(true);
    expect(log.takesAfterReturn).toBe(0);
  });

  it("errors with a ConnectError when the iterable throws", async () => {
    const failing: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new ConnectError("broken", Code.DataLoss)) }),
    };
    await expect(lastValueFrom(iterableToObservable(() => failing))).rejects.toMatchObject({ code: Code.DataLoss });
  });

  it("follows a parent signal while subscribed", () => {
    const parent = new AbortController();
    let signal: AbortSignal | undefined;
    const subscription = iterableToObservable((s) => {
      signal = s;
      return { [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<number>>(() => undefined) }) };
    }, parent.signal).subscribe({ error: () => undefined });
    parent.abort(new ConnectError("stop", Code.Canceled));
    expect(signal?.aborted).toBe(true);
    subscription.unsubscribe();
  });
});

describe("promiseToObservable", () => {
  it("emits the answer once and completes", async () => {
    expect(await lastValueFrom(promiseToObservable(() => Promise.resolve(7)).pipe(toArray()))).toEqual([7]);
  });

  it("unsubscribing before the answer aborts the call's signal", () => {
    let signal: AbortSignal | undefined;
    const subscription = promiseToObservable((s) => {
      signal = s;
      return new Promise<number>(() => undefined);
    }).subscribe();
    subscription.unsubscribe();
    expect(signal?.aborted).toBe(true);
  });

  it("errors with a ConnectError, code kept", async () => {
    await expect(lastValueFrom(promiseToObservable(() => Promise.reject(new ConnectError("no", Code.NotFound))))).rejects.toMatchObject({
      code: Code.NotFound,
    });
  });
});

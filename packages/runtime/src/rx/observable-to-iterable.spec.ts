import { Code, ConnectError } from "@connectrpc/connect";
import { range, Subject } from "rxjs";
import { observableToIterable } from "./observable-to-iterable.js";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe("observableToIterable", () => {
  it("passes every message through in order and ends when the source completes", async () => {
    expect(await collect(observableToIterable(range(0, 5), { bufferSize: 5 }))).toEqual([0, 1, 2, 3, 4]);
  });

  it('fails with RESOURCE_EXHAUSTED and unsubscribes when the buffer overflows under "error" (the default)', async () => {
    const source = new Subject<number>();
    const it = observableToIterable(source, { bufferSize: 3 })[Symbol.asyncIterator]();
    const first = it.next();
    source.next(0);
    expect(await first).toEqual({ done: false, value: 0 });
    for (let i = 1; i <= 3; i++) source.next(i);
    expect(source.observed).toBe(true);
    source.next(4);
    expect(source.observed).toBe(false);
    // Three were buffered; the fourth failed the stream: the buffered ones are dropped, the error is next.
    const error = await it.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
    expect((error as ConnectError).rawMessage).toContain("more than 3 messages");
  });

  it('keeps the newest messages under "drop-oldest"', async () => {
    expect(await collect(observableToIterable(range(0, 100), { bufferSize: 4, overflow: "drop-oldest" }))).toEqual([96, 97, 98, 99]);
  });

  it('keeps the oldest messages under "drop-newest"', async () => {
    expect(await collect(observableToIterable(range(0, 100), { bufferSize: 4, overflow: "drop-newest" }))).toEqual([0, 1, 2, 3]);
  });

  it("never holds more than bufferSize messages however fast the source emits", async () => {
    const source = new Subject<number>();
    const it = observableToIterable(source, { bufferSize: 8, overflow: "drop-oldest" })[Symbol.asyncIterator]();
    const first = it.next();
    for (let i = 0; i < 100_000; i++) source.next(i);
    expect((await first).value).toBe(0);
    source.complete();
    const rest: number[] = [];
    for (let r = await it.next(); r.done !== true; r = await it.next()) rest.push(r.value);
    expect(rest).toEqual([99_992, 99_993, 99_994, 99_995, 99_996, 99_997, 99_998, 99_999]);
  });

  it("ends with the source's error, its code kept", async () => {
    const source = new Subject<number>();
    const it = observableToIterable(source)[Symbol.asyncIterator]();
    const pending = it.next();
    source.next(1);
    await pending;
    source.error(new ConnectError("gone", Code.DataLoss));
    await expect(it.next()).rejects.toMatchObject({ code: Code.DataLoss });
  });

  it("subscribes on the first next() and unsubscribes on return()", async () => {
    const source = new Subject<number>();
    const it = observableToIterable(source)[Symbol.asyncIterator]();
    expect(source.observed).toBe(false);
    const pending = it.next();
    expect(source.observed).toBe(true);
    await it.return!();
    expect(source.observed).toBe(false);
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it("rejects a bad configuration, naming the field and the accepted values", () => {
    expect(() => observableToIterable(range(0, 1), { bufferSize: 0 })).toThrow("bufferSize: must be a positive integer, got 0");
    expect(() => observableToIterable(range(0, 1), { overflow: "block" as never })).toThrow(
      'overflow: must be one of "error", "drop-oldest", "drop-newest", got "block"',
    );
  });
});

import { BytesValueSchema } from "@bufbuild/protobuf/wkt";
import { createReplayInput } from "./replay-input.js";

type Msg = { value?: Uint8Array };
const msg = (size: number): Msg => ({ value: new Uint8Array(size) });
/** Serialized size of `msg(size)` for size < 128: tag, length, bytes. */
const wire = (size: number): number => size + 2;

async function* source(sizes: number[], pulled: number[]) {
  for (const size of sizes) {
    pulled.push(size);
    yield msg(size);
  }
}

async function drain(iterable: AsyncIterable<Msg>): Promise<number[]> {
  const sizes: number[] = [];
  for await (const m of iterable) sizes.push(m.value?.length ?? 0);
  return sizes;
}

describe("createReplayInput", () => {
  it("reads the caller's stream once and replays it to every reader, counting bytes against the channel", async () => {
    const pulled: number[] = [];
    const account = { replayBytes: 0 };
    const input = createReplayInput(BytesValueSchema, source([1, 2, 3], pulled), account, 1000, 1000);
    expect(await drain(input.reader())).toEqual([1, 2, 3]);
    expect(await drain(input.reader())).toEqual([1, 2, 3]);
    expect(pulled).toEqual([1, 2, 3]);
    expect(account.replayBytes).toBe(wire(1) + wire(2) + wire(3));
    expect(input.replayable).toBe(true);
    input.release();
    expect(account.replayBytes).toBe(0);
    expect(input.replayable).toBe(false);
  });

  it("lets two readers interleave without reading the source twice", async () => {
    const pulled: number[] = [];
    const input = createReplayInput(BytesValueSchema, source([5, 6], pulled), { replayBytes: 0 }, 1000, 1000);
    const a = input.reader()[Symbol.asyncIterator]();
    const b = input.reader()[Symbol.asyncIterator]();
    expect((await a.next()).value?.value?.length).toBe(5);
    expect((await b.next()).value?.value?.length).toBe(5);
    expect((await b.next()).value?.value?.length).toBe(6);
    expect((await a.next()).value?.value?.length).toBe(6);
    expect((await a.next()).done).toBe(true);
    expect(pulled).toEqual([5, 6]);
  });

  it("stops being replayable past the per-call bound and gives its bytes back", async () => {
    const account = { replayBytes: 0 };
    const input = createReplayInput(BytesValueSchema, source([10, 10, 10], []), account, 2 * wire(10), 1000);
    const reader = input.reader()[Symbol.asyncIterator]();
    await reader.next();
    await reader.next();
    expect(input.replayable).toBe(true);
    await reader.next();
    expect(input.replayable).toBe(false);
    expect(account.replayBytes).toBe(0);
    expect((await reader.next()).done).toBe(true);
  });

  it("stops being replayable past the per-channel bound shared with other calls", async () => {
    const account = { replayBytes: 95 };
    const input = createReplayInput(BytesValueSchema, source([3, 3], []), account, 1000, 100);
    const reader = input.reader()[Symbol.asyncIterator]();
    await reader.next();
    expect(input.replayable).toBe(true);
    expect(account.replayBytes).toBe(95 + wire(3));
    await reader.next();
    expect(input.replayable).toBe(false);
    expect(account.replayBytes).toBe(95);
  });

  it("passes the caller's error to every reader", async () => {
    async function* failing() {
      yield msg(1);
      throw new Error("caller failed");
    }
    const input = createReplayInput(BytesValueSchema, failing(), { replayBytes: 0 }, 1000, 1000);
    await expect(drain(input.reader())).rejects.toThrow("caller failed");
    await expect(drain(input.reader())).rejects.toThrow("caller failed");
  });

  it("implements throw() as Connect's transports expect of an input iterator: the reader closes and rethrows", async () => {
    const input = createReplayInput(BytesValueSchema, source([1], []), { replayBytes: 0 }, 1000, 1000);
    const reader = input.reader()[Symbol.asyncIterator]();
    await expect(reader.throw!(new Error("aborted"))).rejects.toThrow("aborted");
  });
});

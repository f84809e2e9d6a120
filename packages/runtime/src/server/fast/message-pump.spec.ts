import { notReady, takeReady } from "../../call/ready-values.js";
import { maxBatchBytes, pumpMessages, type MessageSink } from "./message-pump.js";

/** A sink recording each write as the list of messages (one byte each: the number) it framed. */
class RecordingSink implements MessageSink {
  readonly writes: number[][] = [];
  /** Bytes a serialized message takes (a message is a number, repeated). */
  messageBytes = 1;
  isStopped = false;
  needsDrainNow = false;
  frame?: (message: unknown) => Buffer | undefined;
  private onDrain: (() => void) | undefined;

  serialize(message: unknown): Uint8Array {
    if (message === "bad") throw new Error("cannot serialize");
    return new Uint8Array(this.messageBytes).fill(message as number);
  }
  write(frames: Buffer): void {
    const messages: number[] = [];
    for (let at = 0; at < frames.length; ) {
      expect(frames[at]).toBe(0);
      const length = frames.readUInt32BE(at + 1);
      messages.push(frames[at + 5]!);
      at += 5 + length;
    }
    this.writes.push(messages);
  }
  stopped(): boolean {
    return this.isStopped;
  }
  needsDrain(): boolean {
    return this.needsDrainNow;
  }
  drained(): Promise<void> {
    return new Promise((resolve) => (this.onDrain = resolve));
  }
  drain(): void {
    this.needsDrainNow = false;
    this.onDrain?.();
  }
}

async function* ready(values: readonly unknown[]): AsyncGenerator<unknown> {
  for (const value of values) yield value;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** An async iterator over a queue that also hands its queued values over through the ready-values protocol. */
function queueSource(queue: number[], taken: { count: number }): AsyncIterator<unknown> & { [takeReady](): unknown } {
  return {
    next: () => {
      const value = queue.shift();
      taken.count += value === undefined ? 0 : 1;
      return Promise.resolve(value === undefined ? { done: true, value: undefined } : { done: false, value });
    },
    [takeReady]: () => {
      const value = queue.shift();
      if (value === undefined) return notReady;
      taken.count++;
      return value;
    },
  };
}

/** Counts, once asked, the sinks whose first write came before the loop's next check phase (this turn). */
function writesInFirstTurn(sinks: RecordingSink[]): () => number {
  let turnOver = false;
  setImmediate(() => (turnOver = true));
  let count = 0;
  for (const sink of sinks) {
    const write = sink.write.bind(sink);
    let first = true;
    sink.write = (frames) => {
      if (first && !turnOver) count++;
      first = false;
      write(frames);
    };
  }
  return () => count;
}

describe("pumpMessages", () => {
  it("frames the messages ready within one turn into one write, in order", async () => {
    const sink = new RecordingSink();
    await pumpMessages(ready([1, 2, 3, 4, 5]), sink);
    expect(sink.writes).toEqual([[1, 2, 3, 4, 5]]);
  });

  it("writes what is ready before the source waits, without waiting for the source", async () => {
    const sink = new RecordingSink();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const pumping = pumpMessages(
      (async function* () {
        yield 1;
        yield 2;
        await gate;
        yield 3;
      })(),
      sink,
    );
    await nextTurn();
    expect(sink.writes).toEqual([[1, 2]]);
    release();
    await pumping;
    expect(sink.writes).toEqual([[1, 2], [3]]);
  });

  it("writes a lone message in the turn it was yielded, not a turn later (a ping-pong's answer waits for nothing)", async () => {
    const sink = new RecordingSink();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const pumping = pumpMessages(
      (async function* () {
        await gate;
        yield 1;
        await new Promise<void>(() => {});
      })(),
      sink,
    );
    const writtenBeforeNextTurn = await new Promise<number>((resolve) => {
      setImmediate(() => {
        // The request arrives (an I/O callback): the handler answers; the next callback must see it written.
        release();
        setImmediate(() => resolve(sink.writes.length));
      });
    });
    expect(writtenBeforeNextTurn).toBe(1);
    expect(sink.writes).toEqual([[1]]);
    sink.isStopped = true;
    void pumping;
  });

  it("writes a lone message its sink framed as that very buffer, and frames it in order among others", async () => {
    const sink = new RecordingSink();
    const frames: Buffer[] = [];
    /** Odd numbers come framed by the sink, even ones serialized and framed by the pump. */
    sink.frame = (message) => {
      if ((message as number) % 2 === 0) return undefined;
      const frame = Buffer.from([0, 0, 0, 0, 1, message as number]);
      frames.push(frame);
      return frame;
    };
    const written: Buffer[] = [];
    const write = sink.write.bind(sink);
    sink.write = (out) => {
      written.push(out);
      write(out);
    };
    await pumpMessages(ready([7]), sink);
    expect(written[0]).toBe(frames[0]); // no second buffer, no copy
    await pumpMessages(ready([1, 2, 3, 4]), sink);
    expect(sink.writes).toEqual([[7], [1, 2, 3, 4]]);
  });

  it("writes once maxBatchBytes are gathered, and pulls at most one message more while the stream needs to drain", async () => {
    const sink = new RecordingSink();
    sink.messageBytes = 1000;
    const perBatch = Math.floor(maxBatchBytes / 1005);
    const total = 3 * perBatch;
    const queue = Array.from({ length: total }, (_, i) => i % 200);
    const taken = { count: 0 };
    const write = sink.write.bind(sink);
    sink.write = (frames) => {
      write(frames);
      sink.needsDrainNow = true; // the stream's buffer is over its high-water mark after each write
    };
    let done = false;
    const pumping = pumpMessages(queueSource(queue, taken), sink).then(() => (done = true));
    await nextTurn();
    expect(sink.writes[0]).toHaveLength(perBatch);
    // Bounded: one batch and the message that overflowed it; the rest stays in the source's queue.
    expect(taken.count).toBe(perBatch + 1);
    expect(queue).toHaveLength(total - perBatch - 1);
    for (let turns = 0; !done && turns < 100; turns++) {
      sink.drain();
      await nextTurn();
    }
    await pumping;
    expect(sink.writes.flat()).toEqual(Array.from({ length: total }, (_, i) => i % 200));
    expect(Math.max(...sink.writes.map((w) => w.length))).toBe(perBatch);
  });

  it("takes every queued value of a ready source in one turn without awaiting each", async () => {
    const sink = new RecordingSink();
    const taken = { count: 0 };
    const queue = [1, 2, 3, 4, 5, 6, 7, 8];
    let nextCalls = 0;
    const source = queueSource(queue, taken);
    const next = source.next.bind(source);
    source.next = () => {
      nextCalls++;
      return next();
    };
    await pumpMessages(source, sink);
    expect(sink.writes).toEqual([[1, 2, 3, 4, 5, 6, 7, 8]]);
    expect(nextCalls).toBe(2); // the first value, then the end
  });

  it("frames every batch whole and in order as one pump's batches grow past the kept slots and shrink again", async () => {
    // The batch reuses its arrays between batches (up to keptSlots entries, frame-batch.ts) and gives up larger ones.
    const sink = new RecordingSink();
    sink.frame = (message) => ((message as number) % 3 === 0 ? Buffer.from([0, 0, 0, 0, 1, message as number]) : undefined);
    const sizes = [1100, 2, 1025, 1, 1024, 300, 40];
    const batches = sizes.map((size, b) => Array.from({ length: size }, (_, i) => (b * 7 + i) % 250));
    let current: number[] = [];
    let b = 0;
    // Each batch's first value comes a turn later through next(), the rest through the ready-values protocol.
    const source: AsyncIterator<unknown> & { [takeReady](): unknown } = {
      next: async () => {
        await nextTurn();
        if (b === batches.length) return { done: true, value: undefined };
        current = [...batches[b++]!];
        return { done: false, value: current.shift() };
      },
      [takeReady]: () => current.shift() ?? notReady,
    };
    await pumpMessages(source, sink);
    expect(sink.writes).toEqual(batches);
  });

  it("lets pumps woken past the turn's budget write in later turns, every message still written in order", async () => {
    // 40 streams woken at once, each with 64 messages that take ~0.1 ms to serialize (~6 ms a stream).
    await nextTurn(); // a turn no earlier test spent
    const slow = (): RecordingSink => {
      const sink = new RecordingSink();
      const serialize = sink.serialize.bind(sink);
      sink.serialize = (message) => {
        const until = performance.now() + 0.1;
        while (performance.now() < until);
        return serialize(message);
      };
      return sink;
    };
    const sinks = Array.from({ length: 40 }, slow);
    const firstTurn = writesInFirstTurn(sinks);
    await Promise.all(sinks.map((sink, s) => pumpMessages(queueSource(Array.from({ length: 64 }, (_, i) => (s + i) % 200), { count: 0 }), sink)));
    const writtenInFirstTurn = firstTurn();
    expect(writtenInFirstTurn).toBeGreaterThan(0);
    expect(writtenInFirstTurn).toBeLessThan(sinks.length);
    sinks.forEach((sink, s) => expect(sink.writes.flat()).toEqual(Array.from({ length: 64 }, (_, i) => (s + i) % 200)));
  });

  it("lets any number of one-message pumps write in the same turn (a ping-pong never waits for the budget)", async () => {
    await nextTurn(); // a turn no earlier test spent
    const sinks = Array.from({ length: 200 }, () => new RecordingSink());
    const firstTurn = writesInFirstTurn(sinks);
    await Promise.all(sinks.map((sink, s) => pumpMessages(queueSource([s % 200], { count: 0 }), sink)));
    expect(firstTurn()).toBe(sinks.length);
  });

  it("writes the messages before a failing one, then rejects with its error", async () => {
    const sink = new RecordingSink();
    await expect(pumpMessages(ready([1, 2, "bad", 4]), sink)).rejects.toThrow("cannot serialize");
    expect(sink.writes).toEqual([[1, 2]]);
  });

  it("ends the source when a message cannot be serialized, so it frees what it holds", async () => {
    const sink = new RecordingSink();
    let cleanedUp = false;
    const source = (async function* () {
      try {
        yield 1;
        yield "bad";
        yield 3;
      } finally {
        cleanedUp = true;
      }
    })();
    await expect(pumpMessages(source, sink)).rejects.toThrow("cannot serialize");
    await nextTurn();
    expect(cleanedUp).toBe(true);
    expect(sink.writes).toEqual([[1]]);
  });

  it("writes nothing once the sink has stopped, and stops pulling", async () => {
    const sink = new RecordingSink();
    let pulled = 0;
    const source = (async function* () {
      for (let i = 1; i <= 10; i++) {
        pulled++;
        if (i === 3) sink.isStopped = true;
        yield i;
      }
    })();
    await pumpMessages(source, sink);
    expect(sink.writes).toEqual([]);
    expect(pulled).toBe(3);
  });

  it("ends a pump waiting for drain when the sink stops", async () => {
    const sink = new RecordingSink();
    sink.needsDrainNow = true;
    let pulled = 0;
    const pumping = pumpMessages(
      (async function* () {
        pulled++;
        yield 1;
      })(),
      sink,
    );
    await nextTurn();
    sink.isStopped = true;
    sink.drain();
    await pumping;
    expect(pulled).toBe(0);
    expect(sink.writes).toEqual([]);
  });
});

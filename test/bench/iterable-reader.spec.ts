// The stream bench's AsyncIterable reader (Sluice (d), Connect-ES (a)) pays nothing per message beyond
// its for-await loop when no consumer delay is asked for, as grpc-js's event reader pays nothing.
import { iterableStreamCall, type IterableEchoClient } from "../../bench/src/contenders/iterable-stream-call.js";

/** A client whose server stream hands over `count` messages, each next() already resolved. */
function readyClient(count: number): IterableEchoClient {
  return {
    echoStream: () => ({
      [Symbol.asyncIterator]: () => {
        let left = count;
        return { next: () => Promise.resolve(left-- > 0 ? { done: false, value: {} } : { done: true, value: undefined }) };
      },
    }),
    echoUpload: () => Promise.reject(new Error("not used")),
    echoBidi: () => {
      throw new Error("not used");
    },
  };
}

/** Microtask hops a concurrent ticker makes while `read` runs: how many the reader took. */
async function hopsWhile(read: () => Promise<number>): Promise<{ hops: number; messages: number }> {
  let hops = 0;
  let running = true;
  const ticker = (async () => {
    while (running) {
      await undefined;
      hops++;
    }
  })();
  const messages = await read();
  running = false;
  await ticker;
  return { hops, messages };
}

describe("the stream bench's AsyncIterable reader", () => {
  it("reads a server stream with no consumer delay without an await per message beyond for-await's own", async () => {
    const count = 1_000;
    const plain = await hopsWhile(async () => {
      let n = 0;
      for await (const _ of readyClient(count).echoStream({} as never)) n++;
      return n;
    });
    const bench = await hopsWhile(() => iterableStreamCall(readyClient(count), { shape: "server", stream: count, bytes: 16 }));
    expect(bench.messages).toBe(count);
    expect(plain.messages).toBe(count);
    // The same hops as a bare for-await loop (an `await` of nothing per message would add 1,000).
    expect(bench.hops).toBeLessThanOrEqual(plain.hops + 10);
  });
});

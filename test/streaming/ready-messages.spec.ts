// A Sluice client's response stream hands over the messages it already holds without a promise each
// (the ready-values protocol), which the Observable twins use: over a real loopback HTTP/2 call.
import type { HandlerContext } from "@connectrpc/connect";
import { lastValueFrom, toArray } from "rxjs";
import { notReady, readySourceOf, takeReady } from "../../packages/runtime/src/call/ready-values.js";
import type { EchoRequest } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { startEchoLoopback, type EchoLoopback } from "../support/echo-loopback.js";

describe("ready messages of a response stream", () => {
  let loopback: EchoLoopback;

  beforeAll(async () => {
    loopback = await startEchoLoopback({
      // `count` messages yielded in one turn: the fast path frames them into one write.
      async *serverStream(request: EchoRequest, _context: HandlerContext) {
        for (let index = 0; index < request.count; index++) yield { index };
      },
    });
  });
  afterAll(() => loopback.close());

  const client = () => loopback.client();

  it("the client's stream iterator hands over queued messages without next(), in order, then ends through next()", async () => {
    const it = client().serverStream({ count: 200 })[Symbol.asyncIterator]();
    const ready = readySourceOf(it);
    expect(ready).toBeDefined();
    // Before the call has started nothing is ready.
    expect(ready![takeReady]()).toBe(notReady);
    const indexes: number[] = [];
    let taken = 0;
    for (let result = await it.next(); result.done !== true; result = await it.next()) {
      indexes.push(result.value.index);
      for (let value = ready![takeReady](); value !== notReady; value = ready![takeReady]()) {
        indexes.push((value as { index: number }).index);
        taken++;
      }
    }
    expect(indexes).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(taken).toBeGreaterThan(0);
  });

  it("the Observable twin reads them all, in order, and completes", async () => {
    const values = await lastValueFrom(client().serverStream$({ count: 500 }).pipe(toArray()));
    expect(values.map((v) => v.index)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it("after the consumer leaves, nothing more is handed over", async () => {
    const it = client().serverStream({ count: 200 })[Symbol.asyncIterator]();
    const ready = readySourceOf(it)!;
    await it.next();
    await it.return?.();
    expect(ready[takeReady]()).toBe(notReady);
  });
});

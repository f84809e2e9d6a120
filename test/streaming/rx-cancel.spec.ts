// Cancellation, deadlines, backpressure and overflow of the rxjs client and handlers end to end:
// unsubscribing cancels the call (the handler's signal aborts within 100 ms and an Observable it
// returned is unsubscribed), and neither side buffers past its bound when the other stalls.
import { Code, ConnectError } from "@connectrpc/connect";
import { firstValueFrom, lastValueFrom, range, map, take, toArray } from "rxjs";
import { createChannel, createPolicyClient, type Channel, type OverflowStrategy, type PolicyTable, type TransportImplementation } from "@sluice/runtime";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { eventually } from "../support/inventory.js";
import { startRxEchoServer, type RxEchoServer } from "./rx-echo-server.js";

const policies = {} as PolicyTable<typeof EchoService>;
const forever = 1_000_000;
const observable = { "x-style": "observable" };

async function* endless(): AsyncGenerator<{ text: string }> {
  for (let i = 0; ; i++) {
    await new Promise((r) => setTimeout(r, 1));
    yield { text: `r${i}` };
  }
}

describe.each<TransportImplementation>(["sluice", "connect-node"])("rxjs calls, client transport %s", (transport) => {
  let server: RxEchoServer;
  let channel: Channel;
  beforeAll(async () => {
    server = await startRxEchoServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    server.records.length = 0;
    channel = createChannel({ target: `static:///127.0.0.1:${server.server.port}`, transport });
    await channel.waitForReady(5000);
  });
  afterEach(async () => {
    await channel.close(100);
  });
  const client = () => createPolicyClient(EchoService, channel, policies, undefined, { rxjsUnary: true });

  /** The handler's signal aborted within 100 ms of `leftAt`, and nothing is left in flight or open. */
  async function expectCancelled(leftAt: number): Promise<void> {
    await eventually(() => server.records[0]?.abortedAt !== undefined, 2000, "handler signal aborted");
    expect(server.records[0]!.abortedAt! - leftAt).toBeLessThan(100);
    await eventually(() => channel.stats().endpoints[0]!.inFlight === 0, 2000, "in-flight back to 0");
    await eventually(() => server.openStreams() === 0, 2000, "server stream closed");
  }

  it("unsubscribing from a server stream cancels the call on the server", async () => {
    const three = await lastValueFrom(client().serverStream$({ text: "s", count: forever, delayMs: 1 }).pipe(take(3), toArray()));
    const leftAt = performance.now();
    expect(three.map((m) => m.index)).toEqual([0, 1, 2]);
    await expectCancelled(leftAt);
    expect(server.records[0]!.produced).toBeLessThan(200);
  });

  it("unsubscribing from a bidi stream cancels the call on the server", async () => {
    const subscription = client().bidi$(endless()).subscribe();
    await eventually(() => (server.records[0]?.produced ?? 0) >= 3, 2000, "three answers");
    subscription.unsubscribe();
    await expectCancelled(performance.now());
  });

  it("unsubscribing unsubscribes the Observable a handler returned", async () => {
    const subscription = client().serverStream$({ text: "s", count: forever, delayMs: 1 }, { headers: observable }).subscribe();
    await eventually(() => (server.records[0]?.produced ?? 0) >= 3, 2000, "three messages");
    subscription.unsubscribe();
    const leftAt = performance.now();
    await expectCancelled(leftAt);
    await eventually(() => server.records[0]!.unsubscribedAt !== undefined, 2000, "handler Observable unsubscribed");
    expect(server.records[0]!.unsubscribedAt! - leftAt).toBeLessThan(100);
  });

  it("unsubscribing from a unary Observable before the answer cancels the call", async () => {
    const subscription = client().echo$({ text: "u", delayMs: 10_000 }).subscribe();
    await eventually(() => server.records.length === 1, 2000, "call started");
    subscription.unsubscribe();
    await expectCancelled(performance.now());
  });

  it("a deadline ends a server-stream Observable with DEADLINE_EXCEEDED", async () => {
    const error = await lastValueFrom(client().serverStream$({ text: "s", count: forever, delayMs: 1 }, { timeoutMs: 100 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.DeadlineExceeded);
    await eventually(() => server.records[0]?.abortedAt !== undefined, 2000, "handler signal aborted");
  });

  it("the caller's abort signal ends a bidi Observable with CANCELED and cancels the call", async () => {
    const controller = new AbortController();
    const outcome = lastValueFrom(client().bidi$(endless(), { signal: controller.signal })).catch((e: unknown) => e);
    await eventually(() => (server.records[0]?.produced ?? 0) >= 2, 2000, "two answers");
    controller.abort();
    const abortedAt = performance.now();
    expect((await outcome) as ConnectError).toMatchObject({ code: Code.Canceled });
    await expectCancelled(abortedAt);
  });

  it.each<[OverflowStrategy, string]>([
    ["drop-newest", "0,1,2,3,4,5,6,7"],
    ["drop-oldest", "992,993,994,995,996,997,998,999"],
  ])('an Observable request stream that outruns its buffer under "%s" sends what the strategy keeps', async (overflow, expected) => {
    const input = range(0, 1000).pipe(map((i) => ({ text: String(i) })));
    const response = await client().clientStream(input, { observableInput: { bufferSize: 8, overflow } });
    expect(response.text).toBe(expected);
  });

  it('an Observable request stream that outruns its buffer fails the call with RESOURCE_EXHAUSTED under "error" (the default)', async () => {
    const c = createPolicyClient(EchoService, channel, policies, undefined, { observableInput: { bufferSize: 8 } });
    const error = await c.clientStream(range(0, 1000).pipe(map((i) => ({ text: String(i) })))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
    expect((error as ConnectError).rawMessage).toContain("more than 8 messages");
  });

  it("an AsyncIterable request stream is pulled only as fast as the server takes it", async () => {
    let pulled = 0;
    const payload = new Uint8Array(1024);
    async function* big(): AsyncGenerator<{ payload: Uint8Array }> {
      for (; pulled < 100_000; ) {
        pulled++;
        yield { payload };
      }
    }
    const controller = new AbortController();
    const call = client()
      .clientStream(big(), { headers: { "x-hold": "true" }, signal: controller.signal })
      .catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 1000));
    const atStall = pulled;
    await new Promise((r) => setTimeout(r, 300));
    // The server reads nothing: HTTP/2 flow control (64 KiB window) plus socket buffers stop the sender.
    expect(pulled).toBe(atStall);
    expect(pulled).toBeLessThan(5_000);
    controller.abort();
    expect(await call).toMatchObject({ code: Code.Canceled });
  });

  it("a stalled consumer keeps the server's handler from producing past flow control", async () => {
    const payload = new Uint8Array(1024);
    const it = client().serverStream({ text: "s", count: forever, payload })[Symbol.asyncIterator]();
    await it.next();
    await new Promise((r) => setTimeout(r, 1000));
    const produced = server.records[0]!.produced;
    await new Promise((r) => setTimeout(r, 300));
    expect(server.records[0]!.produced).toBe(produced);
    expect(produced).toBeLessThan(5_000);
    await it.return!();
  });

  it("a handler's Observable outrunning a stalled consumer ends the call with RESOURCE_EXHAUSTED, not unbounded memory", async () => {
    const payload = new Uint8Array(1024);
    const it = client().serverStream({ text: "s", count: forever, payload }, { headers: observable })[Symbol.asyncIterator]();
    await it.next();
    await eventually(() => server.records[0]?.unsubscribedAt !== undefined, 10_000, "handler Observable unsubscribed on overflow");
    expect(server.records[0]!.produced).toBeLessThan(5_000);
    const error = await (async () => {
      for (;;) if ((await it.next()).done === true) return undefined;
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: Code.ResourceExhausted });
  });

  it("a single-value Observable from a client stream answers once", async () => {
    const response = await firstValueFrom(client().clientStream$(range(0, 3).pipe(map((i) => ({ text: String(i) })))));
    expect(response.text).toBe("0,1,2");
  });
});

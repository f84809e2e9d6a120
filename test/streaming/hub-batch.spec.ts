// The hub's batched response stream over the wire (handlers return `subscription.map(...)`): every
// event in order to every caller, a stalled caller held to its queue bound, and a cancelled call
// frees its subscription and aborts the handler's signal, also while its writer waits for drain.
import { create } from "@bufbuild/protobuf";
import { Code, type HandlerContext } from "@connectrpc/connect";
import { createChannel, createHub, createPolicyClient, registerService, serve, type Channel, type Hub, type HubSubscription, type PolicyTable, type Server, type SlowConsumerPolicy } from "@sluice/runtime";
import { EchoResponseSchema, EchoService, type EchoRequest, type EchoResponse } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { eventually } from "../support/inventory.js";

const policies = {} as PolicyTable<typeof EchoService>;

describe("hub subscription.map() as a response stream over the wire", () => {
  let server: Server;
  let channel: Channel;
  let hub: Hub<EchoResponse>;
  /** The signals and subscriptions of the calls the server has seen, in order. */
  const signals: AbortSignal[] = [];
  const subscriptions: HubSubscription<EchoResponse>[] = [];

  beforeAll(async () => {
    server = await serve({
      host: "127.0.0.1",
      shutdownGraceMs: 200,
      hardening: { maxConcurrentStreams: 1000 },
      routes: (router) =>
        registerService(router, EchoService, {
          // `text` names the slow-consumer policy, `count` the queue size.
          serverStream(request: EchoRequest, context: HandlerContext) {
            signals.push(context.signal);
            const subscription = hub.subscribe({ queueSize: request.count, slowConsumer: request.text as SlowConsumerPolicy, signal: context.signal });
            subscriptions.push(subscription);
            return subscription.map((event) => event.value);
          },
        }),
    });
    channel = createChannel({ target: `static:///127.0.0.1:${server.port}` });
    await channel.waitForReady(5000);
  });
  afterAll(async () => {
    await channel.close(100);
    await server.close();
  });
  beforeEach(() => {
    hub = createHub<EchoResponse>();
    signals.length = 0;
    subscriptions.length = 0;
  });

  const client = (): ReturnType<typeof createPolicyClient<typeof EchoService>> => createPolicyClient(EchoService, channel, policies);
  const event = (payloadBytes: number): EchoResponse => create(EchoResponseSchema, { index: hub.lastSeq + 1, payload: new Uint8Array(payloadBytes).fill(7) });

  it("delivers every event to 200 callers in publishing order, then completes them when the hub closes", async () => {
    const callers = 200;
    const events = 2000;
    const readers = Array.from({ length: callers }, async () => {
      const indexes: number[] = [];
      for await (const response of client().serverStream({ text: "end", count: events })) indexes.push(response.index);
      return indexes;
    });
    await eventually(() => hub.stats().subscribers === callers, 10_000, "every caller subscribed");
    // Published in bursts, so the writers batch many queued events per write.
    for (let i = 0; i < events; i++) {
      hub.publish("k", event(16));
      if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
    }
    hub.close();
    const expected = Array.from({ length: events }, (_, i) => i + 1);
    for (const indexes of await Promise.all(readers)) expect(indexes).toEqual(expected);
    expect(hub.stats()).toMatchObject({ delivered: callers * events, dropped: 0, slowConsumersEnded: 0, subscribers: 0 });
  }, 120_000);

  it("holds a stalled caller to its queue bound (drop-oldest) while the stream waits for HTTP/2 flow control, and frees it when the call is cancelled", async () => {
    const queueSize = 32;
    const controller = new AbortController();
    const stalled = client().serverStream({ text: "drop-oldest", count: queueSize }, { signal: controller.signal })[Symbol.asyncIterator]();
    const first = stalled.next(); // starts the call; nothing more is read
    await eventually(() => hub.stats().subscribers === 1, 5000, "the stalled caller subscribed");
    let mostQueued = 0;
    const subscription = hub.subscribe(); // an in-process reader that keeps up, for comparison
    for (let burst = 0; burst < 200; burst++) {
      for (let i = 0; i < 16; i++) hub.publish("k", event(1024));
      while (subscription.take() !== undefined);
      mostQueued = Math.max(mostQueued, subscriptions[0]!.queued);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // 3,200 events of 1 KiB, far more than flow control lets through to a caller that reads nothing:
    // the writer stops pulling, the queue stays at its bound and the hub drops the oldest.
    expect(mostQueued).toBe(queueSize);
    expect(subscriptions[0]!.dropped).toBeGreaterThan(3200 / 2);
    expect(hub.stats().dropped).toBe(subscriptions[0]!.dropped);
    subscription.close();
    expect((await first).done).toBe(false);
    controller.abort();
    await eventually(() => hub.stats().subscribers === 0, 5000, "the cancelled caller's subscription closed");
    await eventually(() => signals[0]?.aborted === true, 2000, "the handler's signal aborted");
    expect(subscriptions[0]!.queued).toBe(0);
  }, 60_000);

  it("ends a stalled caller with RESOURCE_EXHAUSTED (slow-consumer policy end) after what it had queued", async () => {
    const queueSize = 16;
    const stalled = client().serverStream({ text: "end", count: queueSize })[Symbol.asyncIterator]();
    const first = stalled.next();
    await eventually(() => hub.stats().subscribers === 1, 5000, "the stalled caller subscribed");
    for (let burst = 0; burst < 100 && hub.stats().slowConsumersEnded === 0; burst++) {
      for (let i = 0; i < 16; i++) hub.publish("k", event(4096));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(hub.stats().slowConsumersEnded).toBe(1);
    expect(hub.stats().subscribers).toBe(0);
    expect(subscriptions[0]!.queued).toBeLessThanOrEqual(queueSize);
    expect((await first).done).toBe(false);
    let read = 1;
    const error = await (async () => {
      for (let r = await stalled.next(); r.done !== true; r = await stalled.next()) read++;
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: Code.ResourceExhausted });
    expect(read).toBeLessThan(hub.lastSeq);
  }, 60_000);

  it("frees a cancelled caller's subscription and aborts its handler's signal while the others keep receiving", async () => {
    const controllers = Array.from({ length: 10 }, () => new AbortController());
    const received = new Array<number>(controllers.length).fill(0);
    const readers = controllers.map(async (controller, i) => {
      try {
        for await (const _ of client().serverStream({ text: "end", count: 1024 }, { signal: controller.signal })) {
          received[i]!++;
          if (i === 0 && received[i] === 5) controller.abort();
        }
      } catch (e) {
        return (e as { code?: Code }).code;
      }
      return "completed";
    });
    await eventually(() => hub.stats().subscribers === controllers.length, 5000, "every caller subscribed");
    for (let i = 0; i < 10; i++) hub.publish("k", event(16));
    await eventually(() => hub.stats().subscribers === controllers.length - 1, 5000, "the cancelled caller's subscription closed");
    await eventually(() => signals.filter((s) => s.aborted).length === 1, 2000, "the cancelled call's handler signal aborted");
    for (let i = 0; i < 10; i++) hub.publish("k", event(16));
    hub.close();
    const outcomes = await Promise.all(readers);
    expect(outcomes[0]).toBe(Code.Canceled);
    expect(outcomes.slice(1).every((o) => o === "completed")).toBe(true);
    expect(received.slice(1).every((n) => n === 20)).toBe(true);
    // Cancelled before the second ten were published: none of them reached it.
    expect(received[0]).toBeLessThanOrEqual(10);
  }, 60_000);
});

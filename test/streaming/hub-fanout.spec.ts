// The event hub behind 1,000 streaming calls over the wire: one stalled caller is ended with
// RESOURCE_EXHAUSTED (saying why) while every other caller keeps receiving every event.
import { Code, type HandlerContext } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { createChannel, createHub, createPolicyClient, registerService, serve, type Channel, type Hub, type PolicyTable, type Server } from "@sluice/runtime";
import { EchoService, type EchoRequest, type EchoResponseSchema } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { eventually } from "../support/inventory.js";

type Out = MessageInitShape<typeof EchoResponseSchema>;
const policies = {} as PolicyTable<typeof EchoService>;
const subscribers = 1000;
const events = 100;
const queueSize = 16;

describe("event hub fan-out to streaming calls", () => {
  let server: Server;
  let channel: Channel;
  let hub: Hub<Uint8Array>;
  beforeAll(async () => {
    hub = createHub<Uint8Array>({ queueSize, slowConsumer: "end" });
    server = await serve({
      host: "127.0.0.1",
      shutdownGraceMs: 200,
      // 1,000 streams on the one connection a channel keeps per endpoint: above the public-endpoint
      // default of 250 concurrent streams (docs/SERVER.md).
      hardening: { maxConcurrentStreams: 2000 },
      routes: (router) =>
        registerService(router, EchoService, {
          async *serverStream(request: EchoRequest, context: HandlerContext): AsyncGenerator<Out> {
            const subscription = hub.subscribe({ keys: [request.text], signal: context.signal });
            try {
              yield { index: 0 }; // subscribed
              for await (const event of subscription) {
                yield { index: event.seq, payload: event.value };
              }
            } finally {
              subscription.close();
            }
          },
        }),
    });
    // HTTP/2's own 64 KiB stream window, not the channel's 1 MiB default: the 100 events of 4 KiB
    // must outgrow what flow control lets the stalled call buffer (its queue of 32 + the window).
    channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, transport: { flowControl: { streamWindowBytes: 65_535 } } });
    await channel.waitForReady(5000);
  });
  afterAll(async () => {
    await channel.close(100);
    await server.close();
  });

  it("keeps delivering to 999 subscribers while one is stalled, and ends the stalled one with RESOURCE_EXHAUSTED", async () => {
    const client = createPolicyClient(EchoService, channel, policies);
    const received = new Array<number>(subscribers).fill(0);
    let waiting: { target: number; resolve: () => void } | undefined;
    const fastDone = (target: number): boolean => received.every((n, i) => i === 0 || n >= target);
    const calls = Array.from({ length: subscribers }, (_, i) => client.serverStream({ text: "topic" })[Symbol.asyncIterator]());
    // Every call subscribed before the first event.
    await Promise.all(calls.map((it) => it.next()));
    expect(hub.stats().subscribers).toBe(subscribers);
    const readers = calls.map(async (it, j) => {
      if (j === 0) return; // the stalled caller
      for (let r = await it.next(); r.done !== true; r = await it.next()) {
        received[j]++;
        if (waiting !== undefined && received[j] === waiting.target && fastDone(waiting.target)) waiting.resolve();
      }
    }).map((reading) => reading.catch(() => undefined));
    const payload = new Uint8Array(4096);
    // Publish in rounds smaller than a queue, each once the fast subscribers have read the last.
    for (let published = 0; published < events; ) {
      for (let k = 0; k < queueSize / 2 && published < events; k++, published++) hub.publish("topic", payload);
      const target = published;
      if (!fastDone(target)) await new Promise<void>((resolve) => (waiting = { target, resolve }));
    }
    expect(received.slice(1).every((n) => n === events)).toBe(true);
    // The stalled call's queue filled behind HTTP/2 flow control, so the hub ended it.
    expect(hub.stats().slowConsumersEnded).toBe(1);
    expect(hub.stats().subscribers).toBe(subscribers - 1);
    let stalledRead = 0;
    const error = await (async () => {
      for (let r = await calls[0]!.next(); r.done !== true; r = await calls[0]!.next()) stalledRead++;
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: Code.ResourceExhausted });
    expect(String((error as Error).message)).toContain("slow consumer");
    expect(stalledRead).toBeLessThan(events);
    await Promise.all(calls.slice(1).map((it) => it.return!()));
    await Promise.race([Promise.all(readers), new Promise((r) => setTimeout(r, 2000))]);
    await eventually(() => hub.stats().subscribers === 0, 5000, "every subscription closed");
  }, 120_000);
});

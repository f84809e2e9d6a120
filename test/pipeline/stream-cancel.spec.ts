// Leaving a stream early (break, return, throw in a for-await loop) over a generated-style client
// cancels the call on both client transports: the server's handler sees its signal abort, the
// endpoint's in-flight count returns to 0, and nothing is left open on either side.
import type { HandlerContext } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import * as http2 from "node:http2";
import { createChannel, createPolicyClient, serve, type Channel, type PolicyTable, type Server, type TransportImplementation } from "@sluice/runtime";
import { EchoService, type EchoRequest, type EchoResponseSchema } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { echoImpl } from "../fast-path/echo-service.js";
import { eventually } from "../support/inventory.js";

type Out = MessageInitShape<typeof EchoResponseSchema>;

/** Records, per handler call, how many messages it produced and when its signal aborted. */
interface HandlerRecord {
  produced: number;
  abortedAt: number | undefined;
  ended: boolean;
}

const policies = {} as PolicyTable<typeof EchoService>;
const forever = 1_000_000;

async function* requests(count: number, gapMs = 1): AsyncGenerator<{ text: string }> {
  for (let i = 0; i < count; i++) {
    await new Promise((r) => setTimeout(r, gapMs));
    yield { text: `r${i}` };
  }
}

describe.each<TransportImplementation>(["sluice", "connect-node"])("leaving a stream early, client transport %s", (implementation) => {
  let server: Server;
  let channel: Channel;
  const records: HandlerRecord[] = [];
  let openServerStreams = 0;

  const track = (context: HandlerContext): HandlerRecord => {
    const record: HandlerRecord = { produced: 0, abortedAt: undefined, ended: false };
    records.push(record);
    context.signal.addEventListener("abort", () => (record.abortedAt = performance.now()), { once: true });
    return record;
  };

  beforeAll(async () => {
    const base = echoImpl();
    server = await serve({
      host: "127.0.0.1",
      shutdownGraceMs: 200,
      routes: (router) =>
        router.service(EchoService, {
          ...base,
          async *serverStream(request: EchoRequest, context: HandlerContext): AsyncGenerator<Out> {
            const record = track(context);
            try {
              for (let i = 0; i < request.count && !context.signal.aborted; i++) {
                record.produced++;
                yield { text: request.text, index: i };
                if (request.delayMs > 0) await new Promise((r) => setTimeout(r, request.delayMs));
              }
            } finally {
              record.ended = true;
            }
          },
          async *bidi(input: AsyncIterable<EchoRequest>, context: HandlerContext): AsyncGenerator<Out> {
            const record = track(context);
            try {
              let i = 0;
              for await (const request of input) {
                record.produced++;
                yield { text: request.text, index: i++ };
              }
            } finally {
              record.ended = true;
            }
          },
        }),
    });
    server.http2Server.on("stream", (stream: http2.ServerHttp2Stream) => {
      openServerStreams++;
      stream.once("close", () => openServerStreams--);
    });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    records.length = 0;
    channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, transport: implementation });
    await channel.waitForReady(5000);
  });
  afterEach(async () => {
    await channel.close(100);
  });

  const client = () => createPolicyClient(EchoService, channel, policies);

  /** The server's handler saw the cancel within 100 ms, in-flight is back to 0 and close() does not wait out its grace. */
  async function expectCancelled(leftAt: number): Promise<void> {
    await eventually(() => records[0]?.abortedAt !== undefined, 2000, "handler signal aborted");
    expect(records[0]!.abortedAt! - leftAt).toBeLessThan(100);
    await eventually(() => channel.stats().endpoints[0]!.inFlight === 0, 2000, "in-flight back to 0");
    // Nothing left open: close() does not wait out its 5 s grace period.
    const closing = performance.now();
    await channel.close(5000);
    expect(performance.now() - closing).toBeLessThan(2500);
  }

  it("break out of a server stream cancels the call on the server", async () => {
    let seen = 0;
    for await (const _ of client().serverStream({ text: "s", count: forever, delayMs: 1 })) {
      if (++seen === 3) break;
    }
    const leftAt = performance.now();
    await expectCancelled(leftAt);
    expect(records[0]!.produced).toBeLessThan(200);
  });

  it("return() on a server stream's iterator cancels the call on the server", async () => {
    const it = client().serverStream({ text: "s", count: forever, delayMs: 1 })[Symbol.asyncIterator]();
    await it.next();
    await it.next();
    await it.return!();
    await expectCancelled(performance.now());
  });

  it("throwing inside the loop over a server stream cancels the call on the server", async () => {
    await expect(
      (async () => {
        for await (const _ of client().serverStream({ text: "s", count: forever, delayMs: 1 })) throw new Error("consumer failed");
      })(),
    ).rejects.toThrow("consumer failed");
    await expectCancelled(performance.now());
  });

  it("break out of a bidi stream cancels the call on the server", async () => {
    let seen = 0;
    for await (const _ of client().bidi(requests(forever))) {
      if (++seen === 3) break;
    }
    await expectCancelled(performance.now());
  });

  it("throwing inside the loop over a bidi stream cancels the call on the server", async () => {
    await expect(
      (async () => {
        for await (const _ of client().bidi(requests(forever))) throw new Error("consumer failed");
      })(),
    ).rejects.toThrow("consumer failed");
    await expectCancelled(performance.now());
  });

  it("1,000 streams left early leave no open HTTP/2 stream, timer or listener behind", async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const c = client();
    // Warm up so lazily created timers (keepalive, idle) exist before the baseline.
    for await (const _ of c.serverStream({ text: "w", count: 2 })) break;
    await eventually(() => openServerStreams === 0, 2000, "warm-up stream closed");
    records.length = 0;
    const baseline = timers();
    for (let i = 0; i < 1000; i++) {
      let seen = 0;
      if (i % 2 === 0) {
        // The handler pauses between messages: a tight loop in the same process would starve the client.
        for await (const _ of c.serverStream({ text: "s", count: forever, delayMs: 1 })) if (++seen === 2) break;
      } else {
        for await (const _ of c.bidi(requests(forever, 0))) if (++seen === 2) break;
      }
    }
    await eventually(() => openServerStreams === 0, 5000, "every server stream closed");
    await eventually(() => records.every((r) => r.ended), 5000, "every handler ended");
    expect(records.filter((r) => r.abortedAt === undefined)).toHaveLength(0);
    expect(channel.stats().endpoints[0]!.inFlight).toBe(0);
    expect(timers()).toBeLessThanOrEqual(baseline + 2);
  }, 60_000);
});

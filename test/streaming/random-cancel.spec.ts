// 10,000 streams cancelled at random points — unsubscribe, break, abort, deadline — in both styles,
// the three streaming shapes and both client transports leave no open HTTP/2 stream on either
// side, no handler running, nothing in flight, no timer, no listener on a long-lived caller
// signal, and a flat heap.
import { getEventListeners, setMaxListeners } from "node:events";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ConnectError } from "@connectrpc/connect";
import { interval, map, take, tap, type Observable } from "rxjs";
import { createChannel, createPolicyClient, type Channel, type PolicyTable, type TransportImplementation } from "@sluice/runtime";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { eventually } from "../support/inventory.js";
import { seededRandom } from "../support/seeded-random.js";
import { startRxEchoServer, type RxEchoServer } from "./rx-echo-server.js";

const policies = {} as PolicyTable<typeof EchoService>;
const streams = 10_000;
/** Streams of the first block, cancelled before the heap's baseline is taken (lazy state exists by then). */
const warmupStreams = 500;
const concurrency = 50;
/**
 * Node's HTTP/2 server (nghttp2's rapid-reset guard) closes a connection with INTERNAL_ERROR once
 * its client has reset more than 1,000 streams faster than 33 a second. Each block of streams gets
 * fresh channels (one connection per transport, so at most this many resets on one connection),
 * and the old ones are closed once the block is done (see docs/STREAMING.md).
 */
const streamsPerBlock = 500;
/** Heap growth allowed over the 9,500 streams after the baseline, after a full gc (bytes): a leak of 500 bytes a stream exceeds it. */
const heapGrowthBound = 4 * 2 ** 20;
/**
 * The streams must be done within this. A stream costs about 4 ms of CPU (client and server in
 * this one process), so 10,000 take about 45 s on an idle 2-core machine, and up to 3× as long
 * on a loaded one.
 */
const timeLimitMs = 170_000;
const forever = 1_000_000;
type Mode = "unsubscribe" | "break" | "abort" | "deadline";
type Shape = "server" | "client" | "bidi";
const transports: readonly TransportImplementation[] = ["sluice", "connect-node"];

/** A full garbage collection (node runs jest without --expose-gc; the flag is set at run time). */
function collectGarbage(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

async function* requests(signal: AbortSignal, pulled?: () => void): AsyncGenerator<{ text: string }> {
  for (let i = 0; !signal.aborted; i++) {
    await new Promise((r) => setTimeout(r, 1));
    pulled?.();
    yield { text: `r${i}` };
  }
}

const requests$ = (pulled: () => void): Observable<{ text: string }> =>
  interval(1).pipe(
    tap(pulled),
    map((i) => ({ text: `r${i}` })),
  );

describe("random cancellation of 10,000 streams", () => {
  let server: RxEchoServer;
  beforeAll(async () => {
    server = await startRxEchoServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const connect = async (transport: TransportImplementation): Promise<Channel> => {
    const channel = createChannel({ target: `static:///127.0.0.1:${server.server.port}`, transport });
    await channel.waitForReady(5000);
    return channel;
  };

  it(`${streams} streams cancelled at random points, both transports, leave nothing open and the heap flat`, async () => {
    const started = Date.now();
    const cpu = process.cpuUsage();
    const gc = collectGarbage();
    const shared = new AbortController();
    setMaxListeners(concurrency + 1, shared.signal);
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const random = seededRandom(12);
    const outcomes = new Map<string, number>();
    let handled = 0;
    let baseline: { timers: number; heap: number } | undefined;

    const one = async (client: ReturnType<typeof createPolicyClient<typeof EchoService>>): Promise<void> => {
      const shape: Shape = (["server", "client", "bidi"] as const)[Math.floor(random() * 3)]!;
      // A client stream answers once: it can be cancelled by its signal or deadline only.
      const modes: readonly Mode[] = shape === "client" ? ["abort", "deadline"] : ["unsubscribe", "break", "abort", "deadline"];
      const mode = modes[Math.floor(random() * modes.length)]!;
      const observable = random() < 0.5;
      const after = 1 + Math.floor(random() * 4);
      const headers = { "x-style": random() < 0.5 ? "observable" : "iterable" };
      const own = new AbortController();
      const signal = mode === "abort" ? own.signal : shared.signal;
      const timeoutMs = mode === "deadline" ? 5 + Math.floor(random() * 15) : undefined;
      const options = { headers, signal, timeoutMs };
      let seen = 0;
      const onMessage = (): void => {
        if (++seen === after && mode === "abort") own.abort();
      };
      let outcome = "ok";
      try {
        if (shape === "client") {
          // Cancelled while sending: after `after` requests (abort) or at the deadline.
          await client.clientStream(observable ? requests$(onMessage) : requests(own.signal, onMessage), options);
        } else if (observable) {
          const source$ =
            shape === "bidi" ? client.bidi$(requests(own.signal), options) : client.serverStream$({ text: "s", count: forever, delayMs: 1 }, options);
          const stream$ = mode === "unsubscribe" || mode === "break" ? source$.pipe(take(after)) : source$;
          await new Promise<void>((resolve, reject) => stream$.subscribe({ next: onMessage, error: reject, complete: resolve }));
        } else {
          const source = shape === "bidi" ? client.bidi(requests(own.signal), options) : client.serverStream({ text: "s", count: forever, delayMs: 1 }, options);
          for await (const _ of source) {
            onMessage();
            if (seen === after && (mode === "break" || mode === "unsubscribe")) break;
          }
        }
      } catch (error) {
        outcome = ConnectError.from(error).code.toString();
      } finally {
        own.abort();
      }
      outcomes.set(`${shape}:${mode}:${outcome}`, (outcomes.get(`${shape}:${mode}:${outcome}`) ?? 0) + 1);
    };

    for (let block = 0; block * streamsPerBlock < streams; block++) {
      const channels = await Promise.all(transports.map(connect));
      const clients = channels.map((channel) => createPolicyClient(EchoService, channel, policies));
      let next = block * streamsPerBlock;
      const end = Math.min(streams, next + streamsPerBlock);
      const worker = async (): Promise<void> => {
        while (next < end) {
          next++;
          await one(clients[Math.floor(random() * clients.length)]!);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      for (const channel of channels) {
        await eventually(() => channel.stats().endpoints[0]!.inFlight === 0, 5000, "in-flight back to 0");
        await channel.close(100);
      }
      await eventually(() => server.openStreams() === 0, 10_000, "every server stream closed");
      await eventually(() => server.records.every((r) => r.abortedAt !== undefined), 10_000, "every handler's signal aborted");
      handled += server.records.length;
      server.records.length = 0;
      if (end === warmupStreams) {
        gc();
        baseline = { timers: timers(), heap: process.memoryUsage().heapUsed };
      }
      expect(Date.now() - started).toBeLessThan(timeLimitMs);
    }
    expect(getEventListeners(shared.signal, "abort")).toHaveLength(0);
    await eventually(() => timers() <= baseline!.timers + 2, 5000, "timers back to the baseline");
    gc();
    const growth = process.memoryUsage().heapUsed - baseline!.heap;
    // A call whose deadline (5 ms and up) passed before its request arrived never reached a handler.
    expect(handled).toBeGreaterThan(streams * 0.9);
    expect(growth).toBeLessThan(heapGrowthBound);
    // Unsubscribe and break end quietly; abort ends with CANCELED (1), deadline with DEADLINE_EXCEEDED (4).
    expect([...outcomes.keys()].sort()).toEqual([
      "bidi:abort:1", "bidi:break:ok", "bidi:deadline:4", "bidi:unsubscribe:ok",
      "client:abort:1", "client:deadline:4",
      "server:abort:1", "server:break:ok", "server:deadline:4", "server:unsubscribe:ok",
    ]);
    const { user, system } = process.cpuUsage(cpu);
    console.log(
      `random-cancel: ${streams} streams in ${((Date.now() - started) / 1000).toFixed(1)} s (CPU ${((user + system) / 1e6).toFixed(1)} s); ` +
        `heap growth after gc ${(growth / 2 ** 20).toFixed(2)} MiB (bound ${heapGrowthBound / 2 ** 20} MiB)`,
    );
  }, timeLimitMs + 30_000);
});

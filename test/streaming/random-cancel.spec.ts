// 2,000 streams cancelled at random points — unsubscribe, break, abort, deadline — in both styles
// and both streaming-response shapes leave no open HTTP/2 stream, no handler running, nothing in
// flight, no timer and no listener on a long-lived caller signal, on both client transports.
import { getEventListeners, setMaxListeners } from "node:events";
import { ConnectError } from "@connectrpc/connect";
import { lastValueFrom, take } from "rxjs";
import { createChannel, createPolicyClient, type Channel, type PolicyTable, type TransportImplementation } from "@sluice/runtime";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { eventually } from "../support/inventory.js";
import { seededRandom } from "../support/seeded-random.js";
import { startRxEchoServer, type RxEchoServer } from "./rx-echo-server.js";

const policies = {} as PolicyTable<typeof EchoService>;
const streams = 2000;
const concurrency = 40;
// Node's HTTP/2 server (nghttp2's rapid-reset guard) closes a connection with INTERNAL_ERROR once
// its client has reset more than 1,000 streams faster than 33 a second: each block of cancelled
// streams gets a connection of its own (see docs/STREAMING.md).
const streamsPerConnection = 500;
const forever = 1_000_000;
type Mode = "unsubscribe" | "break" | "abort" | "deadline";
const modes: readonly Mode[] = ["unsubscribe", "break", "abort", "deadline"];

async function* requests(signal: AbortSignal): AsyncGenerator<{ text: string }> {
  for (let i = 0; !signal.aborted; i++) {
    await new Promise((r) => setTimeout(r, 1));
    yield { text: `r${i}` };
  }
}

describe.each<TransportImplementation>(["sluice", "connect-node"])("random cancellation, client transport %s", (transport) => {
  let server: RxEchoServer;
  beforeAll(async () => {
    server = await startRxEchoServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const connect = async (): Promise<Channel> => {
    const channel = createChannel({ target: `static:///127.0.0.1:${server.server.port}`, transport });
    await channel.waitForReady(5000);
    return channel;
  };

  it(`${streams} streams cancelled at random points leave nothing open behind`, async () => {
    let channel = await connect();
    let client = createPolicyClient(EchoService, channel, policies);
    const shared = new AbortController();
    setMaxListeners(concurrency + 1, shared.signal);
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    // Warm up: lazily created timers (keepalive, idle) exist before the baseline.
    for await (const _ of client.serverStream({ text: "w", count: 2 })) break;
    await eventually(() => server.openStreams() === 0, 2000, "warm-up stream closed");
    server.records.length = 0;
    const baseline = timers();
    const random = seededRandom(12);
    const outcomes = new Map<string, number>();

    const one = async (i: number): Promise<void> => {
      const mode = modes[i % modes.length]!;
      const observable = random() < 0.5;
      const bidi = random() < 0.5;
      const after = 1 + Math.floor(random() * 4);
      const headers = { "x-style": random() < 0.5 ? "observable" : "iterable" };
      const own = new AbortController();
      const signal = mode === "abort" ? own.signal : shared.signal;
      const timeoutMs = mode === "deadline" ? 5 + Math.floor(random() * 25) : undefined;
      const options = { headers, signal, timeoutMs };
      const source = bidi ? () => client.bidi(requests(own.signal), options) : () => client.serverStream({ text: "s", count: forever, delayMs: 1 }, options);
      const source$ = bidi ? () => client.bidi$(requests(own.signal), options) : () => client.serverStream$({ text: "s", count: forever, delayMs: 1 }, options);
      let outcome = "ok";
      try {
        if (observable) {
          let seen = 0;
          const stream$ = mode === "unsubscribe" || mode === "break" ? source$().pipe(take(after)) : source$();
          await new Promise<void>((resolve, reject) => {
            const subscription = stream$.subscribe({
              next: () => {
                if (++seen === after && mode === "abort") own.abort();
              },
              error: reject,
              complete: resolve,
            });
            void subscription;
          });
        } else {
          let seen = 0;
          for await (const _ of source()) {
            if (++seen === after) {
              if (mode === "abort") own.abort();
              else if (mode !== "deadline") break;
            }
          }
        }
      } catch (error) {
        outcome = ConnectError.from(error).code.toString();
      } finally {
        own.abort();
      }
      outcomes.set(`${mode}:${outcome}`, (outcomes.get(`${mode}:${outcome}`) ?? 0) + 1);
    };

    for (let start = 0; start < streams; start += concurrency) {
      if (start > 0 && start % streamsPerConnection === 0) {
        await eventually(() => channel.stats().endpoints[0]!.inFlight === 0, 5000, "in-flight back to 0");
        await channel.close(100);
        channel = await connect();
        client = createPolicyClient(EchoService, channel, policies);
      }
      await Promise.all(Array.from({ length: Math.min(concurrency, streams - start) }, (_, k) => one(start + k)));
    }
    await eventually(() => server.openStreams() === 0, 10_000, "every server stream closed");
    await eventually(() => server.records.every((r) => r.abortedAt !== undefined), 10_000, "every handler's signal aborted");
    // A call whose deadline (5 ms and up) passed before its request arrived never reached a handler.
    expect(server.records.length).toBeGreaterThan(streams * 0.9);
    expect(channel.stats().endpoints[0]!.inFlight).toBe(0);
    expect(getEventListeners(shared.signal, "abort")).toHaveLength(0);
    await eventually(() => timers() <= baseline + 2, 5000, "timers back to the baseline");
    await channel.close(100);
    // Unsubscribe and break end quietly; abort ends with CANCELED (1), deadline with DEADLINE_EXCEEDED (4).
    expect([...outcomes.keys()].sort()).toEqual(["abort:1", "break:ok", "deadline:4", "unsubscribe:ok"]);
  }, 180_000);
});

// Out-of-band load reports end to end: a real serve() on 127.0.0.1 pushes sluice.v1.LoadReportService
// reports at the interval asked, a real channel opens one stream per endpoint, its weights follow a
// load the channel never sent within about an interval, the stream comes back after a server
// restart, ends with the channel, and a server without the service leaves the per-call reports.
import { setMaxListeners } from "node:events";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createChannel, createPolicyClient, LoadReportService, serve, type Channel, type PolicyTable, type Server, type ServeOptions } from "@sluice/runtime";
import * as grpc from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import { EchoResponseSchema, EchoService, type EchoRequest } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { grpcJsService } from "../support/grpc-js-definition.js";
import { startEchoServer } from "../fast-path/echo-service.js";

const streamPath = "/sluice.v1.LoadReportService/StreamLoadReports";
const policies = {} as PolicyTable<typeof EchoService>;
const reporting = { concurrency: { algorithm: "fixed", limit: 32 }, loadReport: { windowMs: 200 } } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts the load-report streams `server` has open now and has seen opened. */
function streamCounter(server: Server): { open: () => number; opened: () => number } {
  let open = 0;
  let opened = 0;
  server.http2Server.on("stream", (stream, headers) => {
    if (headers[":path"] !== streamPath) return;
    open++;
    opened++;
    stream.once("close", () => open--);
  });
  return { open: () => open, opened: () => opened };
}

/** Polls `check` every 5 ms until it holds (resolving with the ms it took) or `timeoutMs` passes (rejecting). */
async function until(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(5);
  }
  return performance.now() - start;
}

/** Keeps `concurrency` Echo calls of `delayMs` going over `channel` until `stop.done`. */
async function keepCalling(channel: Channel, stop: { done: boolean }, concurrency = 2, delayMs = 2): Promise<void> {
  const client = createPolicyClient(EchoService, channel, policies);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!stop.done) await client.echo({ text: "l", delayMs });
    }),
  );
}

describe("out-of-band load reports", () => {
  const servers: Server[] = [];
  const channels: Channel[] = [];
  const start = async (options: Partial<ServeOptions> = {}): Promise<Server> => {
    const s = await startEchoServer({ limits: reporting, ...options });
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(channels.splice(0).map((c) => c.close(200)));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it("sends a report at once and then one per interval asked, never faster than the server's minimum", async () => {
    const server = await start({ limits: { ...reporting, loadReport: { windowMs: 200, outOfBand: { minIntervalMs: 20 } } } });
    const client = createClient(LoadReportService, createGrpcTransport({ baseUrl: server.url }));
    const arrivals = async (askMs: number, forMs: number): Promise<number[]> => {
      const abort = new AbortController();
      const times: number[] = [];
      const timer = setTimeout(() => abort.abort(), forMs);
      try {
        for await (const report of client.streamLoadReports({ reportInterval: durationFromMs(askMs) }, { signal: abort.signal })) {
          expect(report.rpsFractional).toBeGreaterThanOrEqual(0);
          times.push(performance.now());
        }
      } catch {
        // cancelled by the timer
      } finally {
        clearTimeout(timer);
      }
      return times;
    };
    const all = await arrivals(50, 1300);
    // At once, then every 50 ms on a fixed cadence: 21 in the second from the first (a busy machine's stalls delay some).
    const asked = all.filter((t) => t - all[0]! <= 1005);
    // Repeated reports at the cadence asked (half of them at least, whatever stalls a loaded machine has),
    // never more than the cadence gives.
    expect(asked.length).toBeGreaterThanOrEqual(10);
    expect(asked.length).toBeLessThanOrEqual(22); // 21, and one the cadence catches up after a late first

    // 1 ms asked, 20 ms minimum: at most 1 + 200 / 20 reports in 200 ms (and one caught up).
    const clamped = await arrivals(1, 200);
    expect(clamped.length).toBeLessThanOrEqual(12);
    expect(clamped.length).toBeGreaterThanOrEqual(2);
  }, 15_000);

  it("sends a report early, long before the interval, when utilization moves by the server's threshold", async () => {
    const server = await start({ limits: { ...reporting, loadReport: { windowMs: 200, outOfBand: { changeThreshold: 0.2 } } } });
    const client = createClient(LoadReportService, createGrpcTransport({ baseUrl: server.url }));
    const abort = new AbortController();
    const reports: { at: number; util: number }[] = [];
    const streaming = (async () => {
      for await (const r of client.streamLoadReports({ reportInterval: durationFromMs(5000) }, { signal: abort.signal })) {
        reports.push({ at: performance.now(), util: r.applicationUtilization });
      }
    })().catch(() => undefined);
    const neighbour = createClient(EchoService, createGrpcTransport({ baseUrl: server.url }));
    const held = new AbortController();
    setMaxListeners(32, held.signal);
    try {
      await until(() => reports.length === 1, 5000, "the first report");
      const calls = Array.from({ length: 16 }, () => neighbour.echo({ text: "n", delayMs: 3000 }, { signal: held.signal }).catch(() => undefined));
      await until(() => (server.limits?.inFlight ?? 0) >= 16, 2000, "the calls are in flight");
      const since = performance.now();
      // 16 of 32 in flight: 0.5 above the first report's 0; the interval asked is 5 s.
      // Before half the asked interval: only the early push can have sent it.
      await until(() => reports.length >= 2, 2500, "an early report");
      expect(performance.now() - since).toBeLessThan(2500);
      held.abort();
      await Promise.all(calls);
    } finally {
      held.abort();
      abort.abort();
      await streaming;
    }
  }, 15_000);

  it("moves an endpoint's weight while the calls loading its server, which the channel never sent, are still in flight", async () => {
    const a = await start();
    const b = await start();
    const addrB = `127.0.0.1:${b.port}`;
    const channel = createChannel({
      target: `static:///127.0.0.1:${a.port},${addrB}`,
      balancer: { policy: "load-report", weightUpdatePeriodMs: 20 },
      loadReports: { blackoutMs: 0, outOfBand: { intervalMs: 50 } },
      outlierDetection: false,
    });
    channels.push(channel);
    const endpoint = (address: string) => channel.stats().endpoints.find((e) => e.address === address)!;
    const stop = { done: false };
    const calling = keepCalling(channel, stop);
    try {
      await until(() => channel.stats().endpoints.every((e) => e.outOfBand === "streaming" && e.loadWeight > 0), 5000, "both endpoints stream weights");
      await sleep(300);
      const before = endpoint(addrB).loadWeight;
      // A neighbour (not the channel) holds 16 calls of 3 s at b: they finish after the test, so
      // no per-call report could show them.
      const neighbour = createClient(EchoService, createGrpcTransport({ baseUrl: b.url }));
      const held = new AbortController();
      setMaxListeners(32, held.signal);
      let finished = 0;
      const calls = Array.from({ length: 16 }, () =>
        neighbour
          .echo({ text: "n", delayMs: 3000 }, { signal: held.signal })
          .catch(() => undefined)
          .finally(() => finished++),
      );
      await until(() => (b.limits?.inFlight ?? 0) >= 16, 2000, "the neighbour's calls are at b");
      await until(() => endpoint(addrB).loadWeight < before / 3, 2500, "b's weight falls below a third");
      // It fell while every neighbour call was still held (they take 3 s): only a report of the calls
      // in flight could show them, not one of finished calls (about one 50 ms interval on a quiet machine).
      expect(finished).toBe(0);
      await sleep(2 * 50);
      // A whole interval with the 16 calls held: about 16 of the limit's 32 on average.
      expect(endpoint(addrB).loadReport?.util).toBeGreaterThan(0.45);
      held.abort();
      await Promise.all(calls);
    } finally {
      stop.done = true;
      await calling;
    }
  }, 15_000);

  it("re-opens the stream after the server restarts on the same port", async () => {
    const first = await start();
    const port = first.port;
    const channel = createChannel({
      target: `static:///127.0.0.1:${port}`,
      loadReports: { outOfBand: { intervalMs: 20 } },
      backoff: { initialMs: 50, maxMs: 100 },
    });
    channels.push(channel);
    const state = () => channel.stats().endpoints[0]!.outOfBand;
    await channel.waitForReady(5000);
    await until(() => state() === "streaming", 5000, "the stream delivers");
    await first.close();
    servers.splice(servers.indexOf(first), 1);
    await until(() => state() === "reconnecting", 5000, "the stream is seen broken");
    const second = await start({ port });
    const counter = streamCounter(second);
    const client = createPolicyClient(EchoService, channel, policies);
    await client.echo({ text: "reconnect" }); // the subchannel reconnects for a call at the latest
    await until(() => state() === "streaming" && counter.open() === 1, 5000, "the stream delivers again from the new server");
  }, 15_000);

  it("closes every stream and opens none again when the channel closes", async () => {
    const server = await start();
    const counter = streamCounter(server);
    const channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, loadReports: { outOfBand: { intervalMs: 20 } } });
    await channel.waitForReady(5000);
    await until(() => counter.open() === 1, 5000, "the stream is open");
    await channel.close(200);
    await until(() => counter.open() === 0, 2000, "the server sees the stream closed");
    const opened = counter.opened();
    await sleep(300);
    expect(counter.opened()).toBe(opened);
    expect(channel.stats().endpoints).toEqual([]);
  }, 15_000);

  it("falls back to per-call reports, without asking again, when the server answers UNIMPLEMENTED", async () => {
    const server = await start({ limits: { ...reporting, loadReport: { windowMs: 200, outOfBand: false } } });
    const counter = streamCounter(server);
    const channel = createChannel({
      target: `static:///127.0.0.1:${server.port}`,
      loadReports: { blackoutMs: 0, outOfBand: { intervalMs: 20 } },
      backoff: { initialMs: 20, maxMs: 40 },
    });
    channels.push(channel);
    await channel.waitForReady(5000);
    await until(() => channel.stats().endpoints[0]!.outOfBand === "unimplemented", 5000, "the stream is refused");
    const stop = { done: false };
    const calling = keepCalling(channel, stop);
    await sleep(300);
    stop.done = true;
    await calling;
    expect(channel.stats().endpoints[0]!.loadReport).toBeDefined(); // from the calls' trailers
    expect(counter.opened()).toBe(1);
  }, 15_000);

  it("stops asking a plain grpc-js server (no such service) after its one UNIMPLEMENTED, and its calls go on", async () => {
    const plain = new grpc.Server();
    plain.addService(grpcJsService(EchoService), {
      echo: (call: grpc.ServerUnaryCall<EchoRequest, unknown>, callback: grpc.sendUnaryData<unknown>) =>
        callback(null, create(EchoResponseSchema, { text: call.request.text })),
    });
    const port = await new Promise<number>((resolve, reject) =>
      plain.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const channel = createChannel({ target: `static:///127.0.0.1:${port}`, loadReports: { outOfBand: { intervalMs: 20 } } });
    try {
      await channel.waitForReady(5000);
      await until(() => channel.stats().endpoints[0]!.outOfBand === "unimplemented", 5000, "grpc-js refuses the stream");
      const client = createPolicyClient(EchoService, channel, policies);
      expect((await client.echo({ text: "plain" })).text).toBe("plain");
      await sleep(200);
      expect(channel.stats().endpoints[0]!.outOfBand).toBe("unimplemented"); // not re-opened
    } finally {
      await channel.close(200);
      plain.forceShutdown();
    }
  }, 15_000);

  it("rejects a bad interval at construction, naming the field and the accepted values", async () => {
    expect(() => createChannel({ target: "static:///127.0.0.1:1", loadReports: { outOfBand: { intervalMs: 0 } } })).toThrow(
      "loadReports.outOfBand.intervalMs: must be an integer number of milliseconds from 1 to 2147483647, got 0",
    );
    await expect(
      serve({ host: "127.0.0.1", routes: () => {}, limits: { loadReport: { outOfBand: { minIntervalMs: 0.5 } } } }),
    ).rejects.toThrow("limits.loadReport.outOfBand.minIntervalMs: must be an integer >= 1, got 0.5");
    await expect(
      serve({ host: "127.0.0.1", routes: () => {}, limits: { loadReport: { outOfBand: { changeThreshold: 0 } } } }),
    ).rejects.toThrow("limits.loadReport.outOfBand.changeThreshold: must be a number > 0, got 0");
  });
});

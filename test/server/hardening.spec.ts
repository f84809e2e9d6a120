// serve()'s hardening limits end to end on both server transports: floods of connections that never
// send a request or stall in the middle of one leave no session, socket, timer or listener behind;
// the connection cap, the concurrent-stream limit, the header list limit, and the first-request,
// idle and stalled-request timeouts each act as documented.
import * as http2 from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";
import type { Server } from "@sluice/runtime";
import { EchoRequestSchema } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { startEchoServer } from "../fast-path/echo-service.js";
import { dataFrame, headersFrame, preface, settingsFrame, stallingClient } from "../support/h2-frames.js";
import { envelope, grpcStatusOf, rawRequest, type RawOutcome } from "../support/raw-h2.js";
import { connections, recordTimers, settle, trackSessions } from "../support/server-probes.js";

const echoPath = "/fastpath.v1.EchoService/Echo";
const grpcHeaders = { ":method": "POST", ":scheme": "http", ":authority": "127.0.0.1", ":path": echoPath, "content-type": "application/grpc", te: "trailers" };
const message = (fields: Parameters<typeof create<typeof EchoRequestSchema>>[1] = {}): Buffer =>
  envelope(toBinary(EchoRequestSchema, create(EchoRequestSchema, fields)));

/** Listener counts of the events a server and its sessions use. */
const listenerCounts = (server: Server): number[] =>
  ["session", "stream", "connection", "request", "timeout", "error", "close"].map((e) => server.http2Server.listenerCount(e));

describe.each(["sluice", "connect-node"] as const)("serve() hardening with transport %s", (transport) => {
  it("refuses bad limits before listening, naming the field and its range", async () => {
    await expect(startEchoServer({ transport, hardening: { maxConnections: 0 } })).rejects.toThrow(
      "hardening.maxConnections: must be an integer from 1 to 1000000, got 0",
    );
    await expect(startEchoServer({ transport, hardening: { idleTimeoutMs: -5 } })).rejects.toThrow(
      "hardening.idleTimeoutMs: must be 0 (off) or an integer from 1 to 2147483647 (milliseconds), got -5",
    );
  });

  it("1,000 connections that never send a request, or send half a message and stall, leave nothing behind", async () => {
    const timers = recordTimers();
    const server = await startEchoServer({
      transport,
      hardening: { firstRequestTimeoutMs: 400, idleTimeoutMs: 400, requestIdleTimeoutMs: 300, goawayGraceMs: 200 },
    });
    const sessions = trackSessions(server);
    let accepted = 0;
    let streams = 0;
    server.http2Server.on("connection", () => accepted++);
    server.http2Server.on("stream", () => streams++);
    const listenersBefore = listenerCounts(server);
    const sockets = [];
    try {
      const half = message({ text: "stalled", payload: new Uint8Array(100) });
      const stalled = Buffer.concat([preface, settingsFrame(), headersFrame(1, grpcHeaders), dataFrame(1, half.subarray(0, half.length >> 1))]);
      // In batches of 100, so the loopback accept queue never overflows.
      for (let batch = 0; batch < 10; batch++) {
        const kinds = [Buffer.alloc(0), Buffer.concat([preface, settingsFrame()]), stalled];
        sockets.push(...(await Promise.all(Array.from({ length: 100 }, (_, i) => stallingClient(server.port, kinds[i % 3] as Buffer)))));
      }
      expect(await settle(() => accepted, 1000, 5000)).toBe(1000);
      // 33 of every 100 sent half a request, which reached the server.
      expect(await settle(() => streams, 330, 5000)).toBe(330);
      // Every timeout passed (0.4 s + 0.2 s grace, plus 0.3 s stall for the stalled requests).
      expect(await settle(sessions.open, 0, 10_000)).toBe(0);
      expect(await settle(() => connections(server), 0, 2000)).toBe(0);
      expect(timers.created()).toBeGreaterThanOrEqual(1330); // a session timer each, a stall timer per request
      expect(await settle(timers.live, 0, 2000)).toBe(0);
      expect(listenerCounts(server)).toEqual(listenersBefore);
      // And it still serves.
      const client = http2.connect(server.url);
      client.on("error", () => {});
      const out = await rawRequest(client, grpcHeaders, [message({ text: "alive" })]);
      client.destroy();
      expect(grpcStatusOf(out)).toBe(0);
    } finally {
      timers.stop();
      for (const socket of sockets) socket.destroy();
      await server.close();
    }
  }, 60_000);

  it("maxConnections: connections beyond it are closed at once", async () => {
    const server = await startEchoServer({ transport, hardening: { maxConnections: 5 } });
    const sockets = [];
    try {
      for (let i = 0; i < 8; i++) sockets.push(await stallingClient(server.port, Buffer.alloc(0)));
      await new Promise((r) => setTimeout(r, 100));
      expect(await connections(server)).toBe(5);
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.close();
    }
  });

  it("maxConcurrentStreams: advertised to the client, and no more handlers run at once", async () => {
    let running = 0;
    let most = 0;
    const count: Interceptor = (next) => async (req) => {
      most = Math.max(most, ++running);
      try {
        return await next(req);
      } finally {
        running--;
      }
    };
    const server = await startEchoServer({ transport, interceptors: [count], hardening: { maxConcurrentStreams: 2 } });
    const client = http2.connect(server.url);
    client.on("error", () => {});
    try {
      await new Promise((resolve) => client.once("remoteSettings", resolve));
      expect(client.remoteSettings.maxConcurrentStreams).toBe(2);
      const outs = await Promise.all(Array.from({ length: 5 }, () => rawRequest(client, grpcHeaders, [message({ delayMs: 100 })])));
      expect(outs.map(grpcStatusOf)).toEqual([0, 0, 0, 0, 0]);
      expect(most).toBe(2);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it("maxHeaderListBytes: a larger request is refused before any handler runs, a smaller one is served", async () => {
    const log = { calls: [] as string[], aborted: [] as string[] };
    const server = await startEchoServer({ transport, log, hardening: { maxHeaderListBytes: 2048 } });
    /** One request on a fresh connection, sent at once or after the SETTINGS round trip. */
    const send = async (headers: http2.OutgoingHttpHeaders, body: Buffer, settled: boolean): Promise<RawOutcome> => {
      const client = http2.connect(server.url);
      client.on("error", () => {});
      try {
        if (settled) await new Promise<void>((resolve) => client.ping(() => resolve()));
        return await rawRequest(client, headers, [body]);
      } finally {
        client.destroy();
      }
    };
    /** RESOURCE_EXHAUSTED / HTTP 431 from serve(), or node's RST_STREAM ENHANCE_YOUR_CALM. */
    const refusal = (out: RawOutcome): string =>
      out.reset === http2.constants.NGHTTP2_ENHANCE_YOUR_CALM ? "reset" : out.status === 431 ? "431" : `grpc ${grpcStatusOf(out)}`;
    const connectHeaders = { ":method": "POST", ":path": echoPath, "content-type": "application/proto" };
    try {
      for (const settled of [false, true]) {
        const grpc = await send({ ...grpcHeaders, "x-big": "a".repeat(3000) }, message(), settled);
        expect(["grpc 8", "reset"]).toContain(refusal(grpc));
        const connect = await send({ ...connectHeaders, "x-big": "a".repeat(3000) }, Buffer.alloc(0), settled);
        expect(["431", "reset"]).toContain(refusal(connect));
      }
      expect(log.calls).toEqual([]);
      expect(grpcStatusOf(await send({ ...grpcHeaders, "x-small": "a".repeat(1000) }, message(), true))).toBe(0);
      expect(log.calls).toEqual(["echo"]);
    } finally {
      await server.close();
    }
  });

  it("firstRequestTimeoutMs and idleTimeoutMs: GOAWAY, then the connection is closed", async () => {
    const server = await startEchoServer({ transport, hardening: { firstRequestTimeoutMs: 200, idleTimeoutMs: 300, goawayGraceMs: 100 } });
    try {
      const never = http2.connect(server.url);
      never.on("error", () => {});
      const neverGoaway = new Promise<number>((resolve) => never.once("goaway", resolve));
      const used = http2.connect(server.url);
      used.on("error", () => {});
      const started = performance.now();
      expect(grpcStatusOf(await rawRequest(used, grpcHeaders, [message()]))).toBe(0);
      const usedAt = performance.now();
      const usedGoaway = new Promise<number>((resolve) => used.once("goaway", resolve));
      expect(await neverGoaway).toBe(http2.constants.NGHTTP2_NO_ERROR);
      expect(performance.now() - started).toBeGreaterThanOrEqual(150);
      expect(await usedGoaway).toBe(http2.constants.NGHTTP2_NO_ERROR);
      expect(performance.now() - usedAt).toBeGreaterThanOrEqual(250);
      expect(await settle(() => connections(server), 0, 2000)).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("a connection busy with calls is not idle", async () => {
    const server = await startEchoServer({ transport, hardening: { idleTimeoutMs: 200 } });
    const client = http2.connect(server.url);
    client.on("error", () => {});
    let goaway = false;
    client.on("goaway", () => (goaway = true));
    try {
      expect(grpcStatusOf(await rawRequest(client, grpcHeaders, [message({ delayMs: 600 })]))).toBe(0);
      expect(goaway).toBe(false);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it("requestIdleTimeoutMs: a request stalled halfway is reset with CANCEL; a slow but moving one is not", async () => {
    const server = await startEchoServer({ transport, hardening: { requestIdleTimeoutMs: 200 } });
    const client = http2.connect(server.url);
    client.on("error", () => {});
    try {
      const body = message({ text: "slow" });
      const stalled = await rawRequest(client, grpcHeaders, [body.subarray(0, 4)], { end: false, waitMs: 3000 });
      expect(stalled.timedOut).toBeUndefined();
      expect(stalled.reset).toBe(http2.constants.NGHTTP2_CANCEL);
      // Byte by byte, 100 ms apart: never 200 ms without data.
      const stream = client.request(grpcHeaders, { endStream: false });
      const status = new Promise<string | undefined>((resolve) => {
        stream.on("trailers", (t) => resolve(t["grpc-status"] as string | undefined));
        stream.on("close", () => resolve(undefined));
      });
      stream.on("data", () => {});
      for (const byte of body.subarray(0, 6)) {
        stream.write(Buffer.from([byte]));
        await new Promise((r) => setTimeout(r, 100));
      }
      stream.end(body.subarray(6));
      expect(await status).toBe("0");
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it("requestIdleTimeoutMs: a request that arrives whole with its headers costs no stall timer", async () => {
    const server = await startEchoServer({ transport, hardening: { requestIdleTimeoutMs: 200 } });
    const client = http2.connect(server.url);
    client.on("error", () => {});
    const timers = recordTimers();
    const calls = 40;
    try {
      for (let i = 0; i < calls; i++) {
        const out = await rawRequest(client, grpcHeaders, [message({ text: `whole ${i}` })]);
        expect(grpcStatusOf(out)).toBe(0);
      }
      // rawRequest arms one client-side timer per call; the server armed none (a read split between
      // headers and body may still arm one now and then).
      expect(timers.created() - calls).toBeLessThan(calls / 4);
    } finally {
      timers.stop();
      client.destroy();
      await server.close();
    }
  });
});

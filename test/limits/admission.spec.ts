// serve({ limits }) end to end on both server transports: shed calls get RESOURCE_EXHAUSTED (or
// UNAVAILABLE) with a retry hint before their body is read, accepted calls carry a load report,
// the wait queue is bounded, and server.limits shows the state.
import * as http2 from "node:http2";
import * as grpc from "@grpc/grpc-js";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { serve, type Server, type ServerTransport } from "@sluice/runtime";
import { parseLoadReport } from "../../packages/runtime/src/limit/load-report-format.js";
import { registerEcho, startEchoServer } from "../fast-path/echo-service.js";
import { EchoRequestSchema, EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { bytesReceived, echoClient, type EchoClient } from "./grpc-js-echo.js";

const echoPath = "/fastpath.v1.EchoService/Echo";

/** One raw HTTP/2 request: response headers, trailers, body. */
async function rawRequest(url: string, headers: http2.OutgoingHttpHeaders, body: Uint8Array) {
  const session = http2.connect(url);
  try {
    return await new Promise<{ headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const stream = session.request({ ":method": "POST", ":path": echoPath, ...headers });
      const chunks: Buffer[] = [];
      let h: http2.IncomingHttpHeaders = {};
      let t: http2.IncomingHttpHeaders = {};
      stream.on("response", (x) => (h = x));
      stream.on("trailers", (x) => (t = x));
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("close", () => resolve({ headers: h, trailers: t, body: Buffer.concat(chunks) }));
      stream.on("error", reject);
      stream.end(body);
    });
  } finally {
    session.close();
  }
}

/** A gRPC frame of an Echo request with `delay_ms` = `delay`. */
function grpcFrame(delay: number): Buffer {
  const message = toBinary(EchoRequestSchema, create(EchoRequestSchema, { delayMs: delay }));
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

describe.each<ServerTransport>(["sluice", "connect-node"])("serve({ limits }) on transport %s", (transport) => {
  let server: Server;
  let client: EchoClient;
  afterEach(async () => {
    client?.close();
    await server?.close();
  });

  it("sheds calls beyond a fixed limit at once with RESOURCE_EXHAUSTED and a retry hint, and serves the rest", async () => {
    server = await startEchoServer({ transport, limits: { concurrency: { algorithm: "fixed", limit: 4 } } });
    client = echoClient(server);
    await client.echo({}); // connected and warm: the timings below are the server's
    const results = await Promise.all(Array.from({ length: 10 }, () => client.echo({ text: "x", delayMs: 200 })));
    const ok = results.filter((r) => r.code === grpc.status.OK);
    const shed = results.filter((r) => r.code === grpc.status.RESOURCE_EXHAUSTED);
    expect(ok).toHaveLength(4);
    expect(shed).toHaveLength(6);
    const firstServed = Math.min(...ok.map((r) => r.ms));
    for (const r of shed) {
      expect(r.details).toBe("concurrency limit reached (server)");
      expect(Number(r.trailer.get("grpc-retry-pushback-ms")[0])).toBeGreaterThanOrEqual(1);
      expect(r.ms).toBeLessThan(firstServed); // answered at once, not after waiting for a slot
    }
    expect(server.limits).toMatchObject({ algorithm: "fixed", limit: 4, inFlight: 0, queued: 0, shed: 6, admitted: 5 });
  });

  it("answers a shed call synchronously, inside the HTTP/2 'stream' event that brought its headers", async () => {
    server = await startEchoServer({ transport, limits: { concurrency: { algorithm: "fixed", limit: 1 } } });
    // A listener added after serve() runs right after admission, in the same event.
    const answeredInEvent: boolean[] = [];
    server.http2Server.on("stream", (stream: http2.ServerHttp2Stream) => answeredInEvent.push(stream.headersSent));
    const holder = rawRequest(server.url, { "content-type": "application/grpc" }, grpcFrame(200));
    await new Promise((r) => setTimeout(r, 50));
    const shed = await rawRequest(server.url, { "content-type": "application/grpc" }, grpcFrame(0));
    expect(shed.headers["grpc-status"]).toBe(String(Code.ResourceExhausted));
    expect(answeredInEvent).toEqual([false, true]); // the admitted call was not answered yet; the shed one was
    await holder;
  });

  it("does not read the body of a shed call: 1 MiB bodies of shed calls never reach the server", async () => {
    server = await startEchoServer({ transport, limits: { concurrency: { algorithm: "fixed", limit: 2 } } });
    const received = bytesReceived(server);
    client = echoClient(server);
    await client.echo({ text: "warm" });
    const holders = [client.echo({ delayMs: 300 }), client.echo({ delayMs: 300 })];
    await new Promise((r) => setTimeout(r, 50));
    const before = received();
    const big = new Uint8Array(1024 * 1024).fill(7);
    const shed = await Promise.all(Array.from({ length: 8 }, () => client.echo({ payload: big })));
    expect(shed.map((r) => r.code)).toEqual(new Array(8).fill(grpc.status.RESOURCE_EXHAUSTED));
    const read = received() - before;
    // 8 MiB were offered; at most one flow-control window (64 KiB) per stream can arrive unasked.
    expect(read).toBeLessThan(8 * 80 * 1024);
    expect((await Promise.all(holders)).map((r) => r.code)).toEqual([grpc.status.OK, grpc.status.OK]);
  });

  it("answers a shed gRPC call Trailers-Only: content-type, grpc-status, grpc-message, pushback in one HEADERS frame", async () => {
    server = await startEchoServer({ transport, limits: { concurrency: { algorithm: "fixed", limit: 1 }, shedCode: Code.Unavailable, retryPushbackMs: 250 } });
    const holder = rawRequest(server.url, { "content-type": "application/grpc" }, grpcFrame(200));
    await new Promise((r) => setTimeout(r, 50));
    const shed = await rawRequest(server.url, { "content-type": "application/grpc" }, grpcFrame(0));
    expect(shed.headers[":status"]).toBe(200);
    expect(shed.headers["content-type"]).toBe("application/grpc");
    expect(shed.headers["grpc-status"]).toBe(String(Code.Unavailable));
    expect(shed.headers["grpc-message"]).toBe("concurrency limit reached (server)");
    expect(shed.headers["grpc-retry-pushback-ms"]).toBe("250");
    expect(parseLoadReport(shed.headers["sluice-load"] as string)).toMatchObject({ util: 1 });
    expect(shed.trailers).toEqual({});
    expect(shed.body.length).toBe(0);
    expect((await holder).trailers["grpc-status"]).toBe("0");
  });

  it("answers a shed Connect unary call with HTTP 429 and the JSON error", async () => {
    server = await startEchoServer({ transport, limits: { concurrency: { algorithm: "fixed", limit: 1 } } });
    const holder = rawRequest(server.url, { "content-type": "application/grpc" }, grpcFrame(200));
    await new Promise((r) => setTimeout(r, 50));
    const shed = await rawRequest(server.url, { "content-type": "application/proto", "connect-protocol-version": "1" }, Buffer.alloc(0));
    expect(shed.headers[":status"]).toBe(429);
    expect(shed.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(shed.body.toString())).toEqual({ code: "resource_exhausted", message: "concurrency limit reached (server)" });
    await holder;
  });

  it("sheds Connect streaming and gRPC-Web calls in their own protocol, as errors the Connect client sees", async () => {
    server = await startEchoServer({ transport, limits: { concurrency: { algorithm: "fixed", limit: 1 } } });
    const holder = rawRequest(server.url, { "content-type": "application/grpc" }, grpcFrame(300));
    await new Promise((r) => setTimeout(r, 50));
    for (const transportOf of [createConnectTransport, createGrpcWebTransport]) {
      const echo = createClient(EchoService, transportOf({ baseUrl: server.url, httpVersion: "2" }));
      const error = await (async () => {
        for await (const _ of echo.serverStream({ count: 2 })) return undefined;
        return undefined;
      })().catch((e: unknown) => ConnectError.from(e));
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
      expect((error as ConnectError).rawMessage).toBe("concurrency limit reached (server)");
    }
    await holder;
  });

  it("attaches a parseable load report to the trailers of served calls", async () => {
    server = await startEchoServer({ transport, limits: { concurrency: { algorithm: "fixed", limit: 4 } } });
    const first = await rawRequest(server.url, { "content-type": "application/grpc" }, grpcFrame(0));
    const second = await rawRequest(server.url, { "content-type": "application/grpc" }, grpcFrame(0));
    expect(first.trailers["grpc-status"]).toBe("0");
    const report = parseLoadReport(second.trailers["sluice-load"] as string);
    expect(report).toBeDefined();
    expect(report!.qps).toBeGreaterThanOrEqual(1);
    expect(report!.latMs).toBeGreaterThanOrEqual(0);
    // Average calls in flight ÷ the limit of 4, by Little's law (rounded to 3 decimals on the wire).
    expect(report!.util).toBeCloseTo((report!.qps * report!.latMs!) / 1000 / 4, 2);
    const connect = await rawRequest(server.url, { "content-type": "application/proto" }, Buffer.alloc(0));
    expect(parseLoadReport(connect.headers["trailer-sluice-load"] as string)).toBeDefined();
  });

  it("makes callers wait in a bounded queue, then sheds the overflow", async () => {
    server = await startEchoServer({
      transport,
      limits: { concurrency: { algorithm: "fixed", limit: 1 }, queue: { maxQueued: 2, timeoutMs: 2000 } },
    });
    client = echoClient(server);
    const results = await Promise.all(Array.from({ length: 5 }, () => client.echo({ delayMs: 100 })));
    expect(results.filter((r) => r.code === grpc.status.OK)).toHaveLength(3);
    expect(results.filter((r) => r.code === grpc.status.RESOURCE_EXHAUSTED)).toHaveLength(2);
    expect(server.limits).toMatchObject({ queued: 0, inFlight: 0, shed: 2, admitted: 3 });
  });

  it("rate-limits per method with the time until the next token as the hint", async () => {
    server = await startEchoServer({ transport, limits: { methods: { [echoPath]: { rate: { rate: 1, burst: 2 } } } } });
    client = echoClient(server);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await client.echo({}));
    expect(results.map((r) => r.code)).toEqual([grpc.status.OK, grpc.status.OK, grpc.status.RESOURCE_EXHAUSTED]);
    expect(results[2]!.details).toBe(`rate limit exceeded (${echoPath})`);
    expect(Number(results[2]!.trailer.get("grpc-retry-pushback-ms")[0])).toBeGreaterThan(900);
    expect(server.limits).toMatchObject({ rateLimited: 1 });
  });

  it("never limits health checks", async () => {
    server = await startEchoServer({ transport, limits: { concurrency: { algorithm: "fixed", limit: 1 } } });
    const holder = rawRequest(server.url, { "content-type": "application/grpc" }, grpcFrame(200));
    await new Promise((r) => setTimeout(r, 50));
    const health = await rawRequest(server.url, { ":path": "/grpc.health.v1.Health/Check", "content-type": "application/grpc" }, Buffer.alloc(5));
    expect(health.trailers["grpc-status"] ?? health.headers["grpc-status"]).toBe("0");
    await holder;
  });
});

describe("serve({ limits }) configuration", () => {
  it("throws at construction naming the field and the accepted range", async () => {
    const routes = registerEcho;
    await expect(serve({ routes, limits: { concurrency: { algorithm: "aimd", maxLimit: 0 } } })).rejects.toThrow(
      "limits.concurrency.maxLimit: must be an integer >= 1, got 0",
    );
    await expect(serve({ routes, limits: { concurrency: { algorithm: "bbr" } as never } })).rejects.toThrow(
      "limits.concurrency.algorithm: must be one of fixed, aimd, vegas, gradient2, envoy-gradient, got bbr",
    );
    await expect(serve({ routes, limits: { shedCode: Code.Internal } })).rejects.toThrow("limits.shedCode: must be Code.ResourceExhausted (8) or Code.Unavailable (14), got 13");
    await expect(serve({ routes, limits: { queue: { maxQueued: 1, timeoutMs: 1 } } })).rejects.toThrow("limits.queue: needs limits.concurrency");
    await expect(serve({ routes, limits: { rate: { rate: 0 } } })).rejects.toThrow("limits.rate.rate: must be a number > 0, got 0");
    await expect(serve({ routes, limits: { methods: { "a/b/c": { rate: { rate: 1 } } } } })).rejects.toThrow('limits.methods["a/b/c"]: keys must be');
    await expect(
      serve({ routes, limits: { concurrency: { algorithm: "fixed", limit: 4 }, partitions: { by: "method", shares: { a: 0.7, b: 0.7 } } } }),
    ).rejects.toThrow("limits.partitions.shares: must sum to at most 1, got 1.4");
  });
});

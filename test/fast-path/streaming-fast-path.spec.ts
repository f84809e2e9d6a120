// serve()'s fast path for client streaming, bidi and server streaming with interceptors, over gRPC and
// Connect: which path served each call (the handler's context is the fast path's own), interceptors,
// backpressure both ways, cancellation (client reset, deadline, shutdown), size limits, admission.
import * as http2 from "node:http2";
import { create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client, type HandlerContext, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { clientFlowControlDefaults, serve, type Server, type ServeOptions } from "@sluice/runtime";
import { FastContext } from "../../packages/runtime/src/server/fast/fast-context.js";
import { createSluiceTransport, type SluiceTransport } from "../../packages/runtime/src/transport/sluice-transport.js";
import { EchoRequestSchema, EchoService, type EchoRequest } from "./gen/fastpath/v1/echo_pb.js";
import { envelope } from "../support/raw-h2.js";
import { eventually } from "../support/inventory.js";

type Protocol = "grpc" | "connect";
type EchoInit = MessageInitShape<typeof EchoRequestSchema>;
type ClientKind = "sluice" | "connect-node";

/** What the handlers saw: per call, whether the fast path ran it, and when its signal aborted. */
interface Seen {
  method: string;
  fast: boolean;
  aborted?: unknown;
  read: number;
  sent?: number;
}

/** A latch the tests open to let a handler go on. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

function startServer(seen: Seen[], options: Partial<ServeOptions> & { readGate?: () => Promise<void> } = {}): Promise<Server> {
  const { readGate, ...rest } = options;
  const track = (method: string, context: HandlerContext): Seen => {
    const record: Seen = { method, fast: context instanceof FastContext, read: 0 };
    seen.push(record);
    context.signal.addEventListener("abort", () => (record.aborted = context.signal.reason), { once: true });
    return record;
  };
  return serve({
    host: "127.0.0.1",
    shutdownGraceMs: 100,
    routes: (router) =>
      router.service(EchoService, {
        echo: (request: EchoRequest) => ({ text: request.text }),
        async *serverStream(request: EchoRequest, context: HandlerContext) {
          const record = track("serverStream", context);
          record.sent = 0;
          for (let i = 0; i < request.count; i++) {
            if (request.delayMs > 0) await new Promise((r) => setTimeout(r, request.delayMs));
            record.sent++;
            yield { text: request.text, index: i, payload: request.payload };
          }
        },
        async clientStream(requests: AsyncIterable<EchoRequest>, context: HandlerContext) {
          const record = track("clientStream", context);
          await readGate?.();
          const texts: string[] = [];
          for await (const request of requests) {
            record.read++;
            if (request.text !== "") texts.push(request.text);
          }
          context.responseTrailer.set("x-read", String(record.read));
          return { text: texts.join(","), index: record.read };
        },
        async *bidi(requests: AsyncIterable<EchoRequest>, context: HandlerContext) {
          const record = track("bidi", context);
          await readGate?.();
          let i = 0;
          for await (const request of requests) {
            record.read++;
            if (request.failCode !== 0) throw new ConnectError(`failed as asked: ${request.text}`, request.failCode as Code);
            for (let k = 0; k < Math.max(1, request.count); k++) yield { text: request.text, index: i++, payload: request.payload };
          }
        },
      }),
    ...rest,
  });
}

function transportFor(kind: ClientKind, protocol: Protocol, url: string): Transport {
  if (kind === "sluice") return createSluiceTransport({ baseUrl: url, protocol });
  return protocol === "grpc" ? createGrpcTransport({ baseUrl: url }) : createConnectTransport({ baseUrl: url, httpVersion: "2" });
}

function release(transport: Transport): void {
  (transport as Partial<SluiceTransport>).connection?.abort();
}

async function* messages(items: readonly EchoInit[]): AsyncIterable<EchoInit> {
  for (const item of items) yield item;
}

/** Requests until `signal` aborts, one per `gapMs`. */
async function* endless(signal: AbortSignal, gapMs = 2): AsyncIterable<EchoInit> {
  for (let i = 0; !signal.aborted && i < 100_000; i++) {
    await new Promise((r) => setTimeout(r, gapMs));
    yield { text: `r${i}` };
  }
}

/** Reads `iterator` to its end, checking that message indexes go on from `next`; resolves with the index after the last. */
async function readRest(iterator: AsyncIterator<{ index: number }>, next: number): Promise<number> {
  for (let r = await iterator.next(); r.done !== true; r = await iterator.next()) expect(r.value.index).toBe(next++);
  return next;
}

const errorOf = (p: Promise<unknown>): Promise<ConnectError> => p.then(() => new ConnectError("no error", Code.Unknown), (e: unknown) => ConnectError.from(e));

describe.each<[ClientKind, Protocol]>([
  ["sluice", "grpc"],
  ["sluice", "connect"],
  ["connect-node", "grpc"],
  ["connect-node", "connect"],
])("client %s, protocol %s, against serve()'s fast path", (kind, protocol) => {
  const seen: Seen[] = [];
  let server: Server;
  let transport: Transport;
  let client: Client<typeof EchoService>;
  beforeAll(async () => {
    server = await startServer(seen, { readMaxBytes: 64 * 1024 });
    transport = transportFor(kind, protocol, server.url);
    client = createClient(EchoService, transport);
  });
  afterAll(async () => {
    release(transport);
    await server.close();
  });
  beforeEach(() => {
    seen.length = 0;
  });

  it("client streaming and bidi are served by the fast path, with trailers", async () => {
    let trailer: Headers | undefined;
    const joined = await client.clientStream(messages([{ text: "a" }, { text: "b" }, { text: "c" }]), { onTrailer: (t) => (trailer = t) });
    expect(joined).toMatchObject({ text: "a,b,c", index: 3 });
    expect(trailer?.get("x-read")).toBe("3");
    const texts: string[] = [];
    for await (const m of client.bidi(messages([{ text: "x" }, { text: "y", count: 2 }]))) texts.push(`${m.text}${m.index}`);
    expect(texts).toEqual(["x0", "y1", "y2"]);
    expect(seen.map((s) => [s.method, s.fast])).toEqual([
      ["clientStream", true],
      ["bidi", true],
    ]);
  });

  it("an empty client stream and a handler error mid-bidi end with the right status", async () => {
    expect(await client.clientStream(messages([]))).toMatchObject({ text: "", index: 0 });
    const got: string[] = [];
    const error = await errorOf(
      (async () => {
        for await (const m of client.bidi(messages([{ text: "ok" }, { text: "bad", failCode: Code.FailedPrecondition }]))) got.push(m.text);
      })(),
    );
    expect(got).toEqual(["ok"]);
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe("failed as asked: bad");
    expect(seen.every((s) => s.fast)).toBe(true);
  });

  it("a stream that ends normally aborts its handler's signal with an AbortError, not a CANCELED error", async () => {
    const texts: string[] = [];
    for await (const m of client.serverStream({ text: "s", count: 2 })) texts.push(`${m.text}${m.index}`);
    expect(texts).toEqual(["s0", "s1"]);
    await eventually(() => seen[0]?.aborted !== undefined, 2000, "handler signal aborted");
    // jest's realm has its own DOMException: compare by name.
    expect((seen[0]!.aborted as Error).name).toBe("AbortError");
    expect(seen[0]!.aborted instanceof ConnectError).toBe(false);
    expect(seen[0]!.fast).toBe(true);
  });

  it("a client that cancels mid-stream aborts the handler's signal with CANCELED within 100 ms", async () => {
    const controller = new AbortController();
    const outcome = errorOf(client.clientStream(endless(controller.signal), { signal: controller.signal }));
    await eventually(() => (seen[0]?.read ?? 0) >= 3, 2000, "three requests read");
    const cancelledAt = performance.now();
    controller.abort();
    expect((await outcome).code).toBe(Code.Canceled);
    await eventually(() => seen[0]?.aborted !== undefined, 2000, "handler signal aborted");
    expect(performance.now() - cancelledAt).toBeLessThan(100);
    expect(ConnectError.from(seen[0]!.aborted).code).toBe(Code.Canceled);
    expect(seen[0]!.fast).toBe(true);
  });

  it("a deadline fails a bidi call with DEADLINE_EXCEEDED and aborts the handler's signal", async () => {
    const controller = new AbortController();
    try {
      const error = await errorOf(
        (async () => {
          for await (const _ of client.bidi(endless(controller.signal), { timeoutMs: 150 }));
        })(),
      );
      expect(error.code).toBe(Code.DeadlineExceeded);
    } finally {
      controller.abort();
    }
    await eventually(() => seen[0]?.aborted !== undefined, 2000, "handler signal aborted");
    expect(seen[0]!.fast).toBe(true);
  });

  it("a request message over readMaxBytes in the middle of a client stream fails it with RESOURCE_EXHAUSTED", async () => {
    const error = await errorOf(client.clientStream(messages([{ text: "a" }, { text: "big", payload: new Uint8Array(70 * 1024) }, { text: "c" }])));
    expect(error.code).toBe(Code.ResourceExhausted);
    await eventually(() => seen[0]?.aborted !== undefined, 2000, "handler signal aborted");
    expect(ConnectError.from(seen[0]!.aborted).code).toBe(Code.ResourceExhausted);
    expect(seen[0]!.read).toBe(1);
    expect((await client.clientStream(messages([{ text: "still" }]))).text).toBe("still");
  });
});

describe("interceptors on the streaming fast path", () => {
  it("run around server, client and bidi streaming on gRPC and Connect, seeing and changing headers, trailers and messages", async () => {
    const seen: Seen[] = [];
    const log: string[] = [];
    const interceptor: Interceptor = (next) => async (req) => {
      log.push(`${req.method.name}:${String(req.stream)}:${req.header.get("x-in") ?? ""}`);
      const res = await next(req);
      res.header.set("x-intercepted", "yes");
      res.trailer.set("x-trailer-intercepted", "yes");
      if (!res.stream) return res;
      return {
        ...res,
        message: (async function* () {
          for await (const m of res.message) yield { ...m, text: `${(m as unknown as { text: string }).text}!` };
        })(),
      } as typeof res;
    };
    const server = await startServer(seen, { interceptors: [interceptor] });
    try {
      for (const protocol of ["grpc", "connect"] as const) {
        const transport = createSluiceTransport({ baseUrl: server.url, protocol });
        const client = createClient(EchoService, transport);
        try {
          const got: { header?: Headers; trailer?: Headers } = {};
          const events = { onHeader: (h: Headers) => (got.header = h), onTrailer: (t: Headers) => (got.trailer = t), headers: { "x-in": protocol } };
          const streamed: string[] = [];
          for await (const m of client.serverStream({ text: "s", count: 2 }, events)) streamed.push(m.text);
          expect(streamed).toEqual(["s!", "s!"]);
          expect(got.header?.get("x-intercepted")).toBe("yes");
          expect(got.trailer?.get("x-trailer-intercepted")).toBe("yes");
          const after: { trailer?: Headers } = {};
          const joined = await client.clientStream(messages([{ text: "a" }, { text: "b" }]), { ...events, onTrailer: (t: Headers) => (after.trailer = t) });
          expect(joined.text).toBe("a,b!");
          expect(after.trailer?.get("x-trailer-intercepted")).toBe("yes");
          expect(after.trailer?.get("x-read")).toBe("2");
          const echoed: string[] = [];
          for await (const m of client.bidi(messages([{ text: "x" }]), events)) echoed.push(m.text);
          expect(echoed).toEqual(["x!"]);
        } finally {
          release(transport);
        }
      }
    } finally {
      await server.close();
    }
    expect(log).toEqual(["grpc", "connect"].flatMap((p) => [`ServerStream:true:${p}`, `ClientStream:true:${p}`, `Bidi:true:${p}`]));
    expect(seen.map((s) => s.fast)).toEqual(new Array(6).fill(true));
  });
});

describe("backpressure on the streaming fast path", () => {
  const payload = new Uint8Array(16 * 1024).fill(1);

  it("a handler that does not read holds a fast client back through HTTP/2 flow control; once it reads, every message arrives", async () => {
    const seen: Seen[] = [];
    let reading = gate();
    const server = await startServer(seen, { readGate: () => reading.wait });
    for (const protocol of ["grpc", "connect"] as const) {
      seen.length = 0;
      reading = gate();
      const transport = createSluiceTransport({ baseUrl: server.url, protocol });
      const client = createClient(EchoService, transport);
      let pulled = 0;
      const offered = 512; // 8 MiB
      const source = async function* () {
        for (let i = 0; i < offered; i++) {
          pulled++;
          yield { payload };
        }
      };
      try {
        const result = client.clientStream(source());
        await new Promise((r) => setTimeout(r, 500));
        // The handler has read nothing; the request queue (256 KiB), node's buffer and the
        // flow-control windows are all that the client could send.
        expect(seen[0]?.read).toBe(0);
        expect(pulled * payload.byteLength).toBeLessThan(1024 * 1024);
        reading.open();
        expect((await result).index).toBe(offered);
        expect(pulled).toBe(offered);
      } finally {
        release(transport);
      }
    }
    await server.close();
  });

  it("a client that does not read holds a bidi handler back: it waits for drain instead of buffering", async () => {
    const seen: Seen[] = [];
    let produced = 0;
    const server = await serve({
      host: "127.0.0.1",
      shutdownGraceMs: 100,
      routes: (router) =>
        router.service(EchoService, {
          async *bidi(requests: AsyncIterable<EchoRequest>, context: HandlerContext) {
            seen.push({ method: "bidi", fast: context instanceof FastContext, read: 0 });
            for await (const request of requests) {
              for (let i = 0; i < request.count; i++) {
                produced++;
                yield { index: i, payload };
              }
            }
          },
        }),
    });
    const session = http2.connect(server.url);
    session.on("error", () => {});
    try {
      const stream = session.request({ ":method": "POST", ":path": "/fastpath.v1.EchoService/Bidi", "content-type": "application/grpc", te: "trailers" });
      stream.pause();
      stream.end(envelope(toBinary(EchoRequestSchema, create(EchoRequestSchema, { count: 512 }))));
      await new Promise((r) => setTimeout(r, 500));
      // 8 MiB asked for; the client's flow-control window and node's write buffer bound what went out.
      expect(produced * payload.byteLength).toBeLessThan(1024 * 1024);
      let received = 0;
      const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => stream.on("trailers", resolve));
      stream.on("data", (chunk: Buffer) => (received += chunk.byteLength));
      stream.resume();
      expect((await trailers)["grpc-status"]).toBe("0");
      expect(produced).toBe(512);
      expect(received).toBeGreaterThan(512 * (payload.byteLength + 5));
      expect(seen[0]?.fast).toBe(true);
    } finally {
      session.destroy();
      await server.close();
    }
  });
});

describe("the Sluice client speaks Connect streaming itself", () => {
  it("every shape on one HTTP/2 session: no second connect-node session is opened", async () => {
    const seen: Seen[] = [];
    const server = await startServer(seen);
    let sessions = 0;
    server.http2Server.on("session", () => sessions++);
    const transport = createSluiceTransport({ baseUrl: server.url, protocol: "connect" });
    const client = createClient(EchoService, transport);
    try {
      const indexes: number[] = [];
      for await (const m of client.serverStream({ text: "s", count: 3 })) indexes.push(m.index);
      expect(indexes).toEqual([0, 1, 2]);
      expect((await client.clientStream(messages([{ text: "a" }]))).text).toBe("a");
      for await (const m of client.bidi(messages([{ text: "b" }]))) expect(m.text).toBe("b");
      expect((await client.echo({ text: "u" })).text).toBe("u");
      expect(sessions).toBe(1);
      expect(seen.map((s) => s.fast)).toEqual([true, true, true]);
    } finally {
      release(transport);
      await server.close();
    }
  });

  it("a consumer that stops reading a Connect stream holds the server back; then every message arrives", async () => {
    const seen: Seen[] = [];
    const server = await startServer(seen);
    const transport = createSluiceTransport({ baseUrl: server.url, protocol: "connect" });
    const client = createClient(EchoService, transport);
    try {
      const count = 512; // 8 MiB
      const iterator = client.serverStream({ count, payload: new Uint8Array(16 * 1024) })[Symbol.asyncIterator]();
      expect((await iterator.next()).value?.index).toBe(0);
      await new Promise((r) => setTimeout(r, 500));
      // The client's queue (32 messages), its stream's flow-control window (1 MiB by default) and
      // the server's write buffer: far below the 8 MiB the handler would send unchecked.
      const bound = 32 * 16 * 1024 + clientFlowControlDefaults.streamWindowBytes + 256 * 1024;
      expect(seen[0]!.sent! * 16 * 1024).toBeLessThan(bound);
      expect(await readRest(iterator, 1)).toBe(count);
    } finally {
      release(transport);
      await server.close();
    }
  });

  it.each(["grpc", "connect"] as const)(
    "over %s, a consumer that pauses until the server has sent its status still gets every message, then OK",
    async (protocol) => {
      // 60 messages of 512 B, one DATA frame each (1 ms apart), fit the flow-control windows: the
      // server ends the call while the client, its queue full (32), has paused the stream with the
      // rest buffered in node. Node emits gRPC 'trailers' on arrival, before that buffered DATA.
      const server = await startServer([]);
      const transport = createSluiceTransport({ baseUrl: server.url, protocol });
      const client = createClient(EchoService, transport);
      try {
        const count = 60;
        let trailer: Headers | undefined;
        const request = { count, text: "p", delayMs: 1, payload: new Uint8Array(512) };
        const iterator = client.serverStream(request, { onTrailer: (t) => (trailer = t) })[Symbol.asyncIterator]();
        expect((await iterator.next()).value?.index).toBe(0);
        await new Promise((r) => setTimeout(r, 300));
        expect(await readRest(iterator, 1)).toBe(count);
        expect(trailer).toBeDefined();
      } finally {
        release(transport);
        await server.close();
      }
    },
  );
});

describe("shutdown and limits on the streaming fast path", () => {
  it("server shutdown aborts the signal of a bidi handler in flight", async () => {
    const seen: Seen[] = [];
    const server = await startServer(seen);
    const transport = createSluiceTransport({ baseUrl: server.url });
    const controller = new AbortController();
    const outcome = errorOf(
      (async () => {
        for await (const _ of createClient(EchoService, transport).bidi(endless(controller.signal, 5)));
      })(),
    );
    await eventually(() => (seen[0]?.read ?? 0) >= 2, 2000, "two requests read");
    await server.shutdown({ graceMs: 50 });
    controller.abort();
    await eventually(() => seen[0]?.aborted !== undefined, 2000, "handler signal aborted");
    expect([Code.Canceled, Code.Unavailable]).toContain((await outcome).code);
    expect(seen[0]!.fast).toBe(true);
    release(transport);
  });

  it("admission: a concurrency limit of 1 sheds a second client stream while the first is open", async () => {
    const seen: Seen[] = [];
    const server = await startServer(seen, { limits: { concurrency: { algorithm: "fixed", limit: 1 } } });
    const transport = createSluiceTransport({ baseUrl: server.url });
    const client = createClient(EchoService, transport);
    const controller = new AbortController();
    try {
      const first = client.clientStream(endless(controller.signal, 5));
      await eventually(() => (seen[0]?.read ?? 0) >= 1, 2000, "first stream open");
      const shed = await errorOf(client.clientStream(messages([{ text: "second" }])));
      expect(shed.code).toBe(Code.ResourceExhausted);
      controller.abort();
      expect((await first).index).toBeGreaterThanOrEqual(1);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.fast).toBe(true);
    } finally {
      release(transport);
      await server.close();
    }
  });

  it("the stall guard resets a client stream whose client stopped sending, not one whose handler reads slowly", async () => {
    const seen: Seen[] = [];
    const reading = gate();
    const server = await startServer(seen, { hardening: { requestIdleTimeoutMs: 200 }, readGate: () => reading.wait });
    const session = http2.connect(server.url);
    session.on("error", () => {});
    const headers = { ":method": "POST", ":path": "/fastpath.v1.EchoService/ClientStream", "content-type": "application/grpc", te: "trailers" };
    const frame = envelope(toBinary(EchoRequestSchema, create(EchoRequestSchema, { text: "m" })));
    try {
      // Sent three messages, left open, handler not reading for 600 ms: the messages wait unread
      // in the request queue, which is not a stall.
      const slow = session.request(headers);
      slow.write(Buffer.concat([frame, frame, frame]));
      const slowClosed = new Promise<number>((resolve) => slow.on("close", () => resolve(slow.rstCode ?? -1)));
      await new Promise((r) => setTimeout(r, 600));
      expect(slow.closed).toBe(false);
      reading.open();
      await eventually(() => seen[0]?.read === 3, 2000, "three read");
      // Now read and waiting for more that never comes: reset with CANCEL.
      expect(await slowClosed).toBe(http2.constants.NGHTTP2_CANCEL);
      await eventually(() => seen[0]?.aborted !== undefined, 2000, "handler signal aborted");
      expect(seen[0]!.fast).toBe(true);
    } finally {
      session.destroy();
      await server.close();
    }
  });
});

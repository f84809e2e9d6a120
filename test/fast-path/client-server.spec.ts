// The same behaviour on every client × server pairing: the Sluice fast client (gRPC, Connect) and
// connect-node's client against serve() on the fast path and on connect-node — all four shapes,
// errors with details and metadata, headers and trailers, deadlines, cancellation, size limits and
// interceptors.
import { Code, ConnectError, createClient, encodeBinaryHeader, decodeBinaryHeader, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import type { Server } from "@sluice/runtime";
import { createSluiceTransport, type SluiceTransport } from "../../packages/runtime/src/transport/sluice-transport.js";
import { EchoResponseSchema, EchoService } from "./gen/fastpath/v1/echo_pb.js";
import { startEchoServer, type EchoLog } from "./echo-service.js";
import { eventually } from "../support/inventory.js";

type ClientKind = "sluice-grpc" | "sluice-connect" | "connect-node-grpc" | "connect-node-connect";
type ServerKind = "sluice" | "connect-node";

function makeTransport(kind: ClientKind, url: string, extra: { readMaxBytes?: number; writeMaxBytes?: number; interceptors?: Interceptor[] } = {}): Transport {
  switch (kind) {
    case "sluice-grpc":
      return createSluiceTransport({ baseUrl: url, protocol: "grpc", ...extra });
    case "sluice-connect":
      return createSluiceTransport({ baseUrl: url, protocol: "connect", ...extra });
    case "connect-node-grpc":
      return createGrpcTransport({ baseUrl: url, ...extra });
    case "connect-node-connect":
      return createConnectTransport({ baseUrl: url, httpVersion: "2", ...extra });
  }
}

function release(transport: Transport): void {
  (transport as Partial<SluiceTransport>).connection?.abort();
}

async function* from<T>(items: readonly T[], gapMs = 0): AsyncIterable<T> {
  for (const item of items) {
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    yield item;
  }
}

const pairs: [ClientKind, ServerKind][] = [];
for (const c of ["sluice-grpc", "sluice-connect", "connect-node-grpc", "connect-node-connect"] as const) {
  for (const s of ["sluice", "connect-node"] as const) pairs.push([c, s]);
}

describe.each(pairs)("client %s → server %s", (clientKind, serverKind) => {
  let server: Server;
  let transport: Transport;
  let client: Client<typeof EchoService>;
  const log: EchoLog = { calls: [], aborted: [] };
  const streams = clientKind !== "sluice-connect" && clientKind !== "connect-node-connect" ? "grpc" : "connect";

  beforeAll(async () => {
    server = await startEchoServer({ transport: serverKind, log, readMaxBytes: 64 * 1024, writeMaxBytes: 128 * 1024 });
    transport = makeTransport(clientKind, server.url);
    client = createClient(EchoService, transport);
  });
  afterAll(async () => {
    release(transport);
    await server.close();
  });

  it("unary round trip with bytes", async () => {
    const payload = new Uint8Array(300).map((_, i) => i % 251);
    const response = await client.echo({ text: "hello", payload });
    expect(response.text).toBe("hello");
    expect(response.payload).toEqual(payload);
  });

  it("unary error: code, message, details and metadata", async () => {
    const error = ConnectError.from(await client.echo({ text: "boom", failCode: Code.NotFound }).catch((e: unknown) => e));
    expect(error.code).toBe(Code.NotFound);
    expect(error.rawMessage).toBe("failed as asked: boom");
    expect(error.metadata.get("x-error-meta")).toBe("yes");
    const details = error.findDetails(EchoResponseSchema);
    expect(details).toHaveLength(1);
    expect(details[0]?.text).toBe("detail");
    expect(details[0]?.index).toBe(7);
  });

  it("every status code survives the trip", async () => {
    for (const code of [Code.Canceled, Code.InvalidArgument, Code.PermissionDenied, Code.ResourceExhausted, Code.Unavailable, Code.Unauthenticated]) {
      const error = ConnectError.from(await client.echo({ text: "c", failCode: code }).catch((e: unknown) => e));
      expect(error.code).toBe(code);
    }
  });

  it("ASCII and binary request headers reach the handler; response headers and trailers come back", async () => {
    const bin = encodeBinaryHeader(new Uint8Array([0, 1, 2, 250, 255]));
    let header: Headers | undefined;
    let trailer: Headers | undefined;
    await client.echo(
      { text: "meta" },
      {
        headers: { "x-test-ascii": "plain value", "x-test-data-bin": bin },
        onHeader: (h) => (header = h),
        onTrailer: (t) => (trailer = t),
      },
    );
    expect(header?.get("x-test-ascii-echo")).toBe("plain value");
    expect(decodeBinaryHeader(header?.get("x-test-data-echo-bin") ?? "")).toEqual(new Uint8Array([0, 1, 2, 250, 255]));
    expect(trailer?.get("x-test-ascii-trailer")).toBe("plain value");
  });

  it("deadline: a slow handler fails with DEADLINE_EXCEEDED and sees its signal abort", async () => {
    log.aborted.length = 0;
    // The handler would sleep 10 s; only the deadline's abort ends it sooner.
    const started = Date.now();
    const error = ConnectError.from(await client.echo({ text: "slow", delayMs: 10_000 }, { timeoutMs: 100 }).catch((e: unknown) => e));
    expect(error.code).toBe(Code.DeadlineExceeded);
    expect(Date.now() - started).toBeLessThan(5000);
    await eventually(() => log.aborted.includes("echo"), 5000, "the handler's signal aborted");
  });

  it("cancellation: aborting the caller's signal fails with CANCELED and aborts the handler", async () => {
    log.aborted.length = 0;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = ConnectError.from(await client.echo({ text: "cancel", delayMs: 10_000 }, { signal: controller.signal }).catch((e: unknown) => e));
    expect(error.code).toBe(Code.Canceled);
    await eventually(() => log.aborted.includes("echo"), 5000, "the handler's signal aborted");
  });

  it("an already-aborted signal fails at once", async () => {
    const error = ConnectError.from(await client.echo({ text: "x" }, { signal: AbortSignal.abort() }).catch((e: unknown) => e));
    expect(error.code).toBe(Code.Canceled);
  });

  it("server readMaxBytes: an oversized request gets RESOURCE_EXHAUSTED and the server stays up", async () => {
    const error = ConnectError.from(await client.echo({ text: "big", payload: new Uint8Array(100 * 1024) }).catch((e: unknown) => e));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect((await client.echo({ text: "after" })).text).toBe("after");
  });

  it("client readMaxBytes and writeMaxBytes: RESOURCE_EXHAUSTED", async () => {
    const limited = makeTransport(clientKind, server.url, { readMaxBytes: 1000, writeMaxBytes: 2000 });
    const c = createClient(EchoService, limited);
    try {
      const tooBigIn = ConnectError.from(await c.echo({ text: "x", payload: new Uint8Array(1500) }).catch((e: unknown) => e));
      expect(tooBigIn.code).toBe(Code.ResourceExhausted);
      const tooBigOut = ConnectError.from(await c.echo({ text: "x", payload: new Uint8Array(3000) }).catch((e: unknown) => e));
      expect(tooBigOut.code).toBe(Code.ResourceExhausted);
      expect((await c.echo({ text: "small" })).text).toBe("small");
    } finally {
      release(limited);
    }
  });

  it("server streaming: every message in order, then trailers; errors after messages", async () => {
    const indexes: number[] = [];
    for await (const m of client.serverStream({ text: "s", count: 50 })) indexes.push(m.index);
    expect(indexes).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const seen: number[] = [];
    const error = await (async () => {
      for await (const m of client.serverStream({ text: "e", count: 3, failCode: Code.Aborted })) seen.push(m.index);
    })().catch((e: unknown) => ConnectError.from(e));
    expect(seen).toEqual([0, 1, 2]);
    expect(error?.code).toBe(Code.Aborted);
    expect(error?.findDetails(EchoResponseSchema)[0]?.text).toBe("detail");
  });

  it("server streaming: a deadline ends the stream with DEADLINE_EXCEEDED", async () => {
    const seen: number[] = [];
    const error = await (async () => {
      for await (const m of client.serverStream({ text: "slow", count: 100, delayMs: 20 }, { timeoutMs: 150 })) seen.push(m.index);
    })().catch((e: unknown) => ConnectError.from(e));
    expect(error?.code).toBe(Code.DeadlineExceeded);
    expect(seen.length).toBeLessThan(100);
  });

  it("server streaming: breaking out early cancels the call and the server stays usable", async () => {
    let count = 0;
    for await (const _ of client.serverStream({ text: "b", count: 1000, delayMs: 1 })) {
      if (++count === 3) break;
    }
    expect(count).toBe(3);
    expect((await client.echo({ text: "still" })).text).toBe("still");
  });

  it("client streaming and bidi", async () => {
    const joined = await client.clientStream(from([{ text: "a" }, { text: "b" }, { text: "c" }], 2));
    expect(joined.text).toBe("a,b,c");
    expect(joined.index).toBe(3);
    if (streams === "grpc" || serverKind === "connect-node" || serverKind === "sluice") {
      const texts: string[] = [];
      for await (const m of client.bidi(from([{ text: "x" }, { text: "y" }]))) texts.push(`${m.text}${m.index}`);
      expect(texts).toEqual(["x0", "y1"]);
    }
  });

  it("client streaming: a handler error reaches the caller", async () => {
    const error = ConnectError.from(await client.clientStream(from([{ text: "a" }, { text: "b", failCode: Code.FailedPrecondition }])).catch((e: unknown) => e));
    expect(error.code).toBe(Code.FailedPrecondition);
  });
});

describe("interceptors run on the fast paths", () => {
  it("client and server interceptors see every unary and streaming call", async () => {
    const serverSeen: string[] = [];
    const clientSeen: string[] = [];
    const serverInterceptor: Interceptor = (next) => async (req) => {
      serverSeen.push(`${req.method.name}:${req.header.get("x-test-int") ?? ""}`);
      const res = await next(req);
      res.header.set("x-intercepted", "server");
      return res;
    };
    const clientInterceptor: Interceptor = (next) => async (req) => {
      req.header.set("x-test-int", "from-client");
      clientSeen.push(req.method.name);
      return next(req);
    };
    const server = await startEchoServer({ interceptors: [serverInterceptor] });
    for (const protocol of ["grpc", "connect"] as const) {
      const transport = createSluiceTransport({ baseUrl: server.url, protocol, interceptors: [clientInterceptor] });
      const client = createClient(EchoService, transport);
      try {
        let header: Headers | undefined;
        const r = await client.echo({ text: "i" }, { onHeader: (h) => (header = h) });
        expect(r.text).toBe("i");
        expect(header?.get("x-intercepted")).toBe("server");
        expect(header?.get("x-test-int-echo")).toBe("from-client");
        const items: number[] = [];
        for await (const m of client.serverStream({ text: "s", count: 2 })) items.push(m.index);
        expect(items).toEqual([0, 1]);
        const err = ConnectError.from(await client.echo({ text: "t", delayMs: 1000 }, { timeoutMs: 50 }).catch((e: unknown) => e));
        expect(err.code).toBe(Code.DeadlineExceeded);
      } finally {
        transport.connection.abort();
      }
    }
    await server.close();
    expect(clientSeen).toEqual(["Echo", "ServerStream", "Echo", "Echo", "ServerStream", "Echo"]);
    expect(serverSeen.filter((s) => s.startsWith("Echo"))).toEqual(expect.arrayContaining(["Echo:from-client"]));
    expect(serverSeen.filter((s) => s.startsWith("ServerStream"))).toHaveLength(2);
  });
});

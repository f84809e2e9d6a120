// Regressions of the fast path's edge cases: headers node refuses, undecodable grpc-message and
// grpc-status-details-bin, deadlines beyond setTimeout's range, abort() with streams open (also
// on sessions that received GOAWAY), and the Connect-streaming fallback's HTTP/2 session.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { Server } from "@sluice/runtime";
import { createSluiceTransport } from "../../packages/runtime/src/transport/sluice-transport.js";
import { EchoRequestSchema, EchoResponseSchema, EchoService } from "./gen/fastpath/v1/echo_pb.js";
import { startEchoServer } from "./echo-service.js";

const thirtyDaysMs = 30 * 24 * 3600 * 1000;

/** `promise`'s outcome, or "timeout" after `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The ConnectError a promise rejects with (fails the test when it resolves or hangs). */
async function rejection(promise: Promise<unknown>, ms = 3000): Promise<ConnectError> {
  const outcome = await within(
    promise.then(
      () => new Error("resolved"),
      (e: unknown) => e,
    ),
    ms,
  );
  if (outcome === "timeout") throw new Error("call did not settle");
  expect(outcome).toBeInstanceOf(ConnectError);
  return outcome as ConnectError;
}

/** Open TCP connections of `server`. */
const openConnections = (server: http2.Http2Server): Promise<number> =>
  new Promise((resolve) => server.getConnections((_e, n) => resolve(n)));

/** Polls until `server` has `count` connections (at most `ms`); returns the last count. */
async function waitForConnections(server: http2.Http2Server, count: number, ms: number): Promise<number> {
  let n = await openConnections(server);
  for (let waited = 0; n !== count && waited < ms; waited += 20) {
    await new Promise((r) => setTimeout(r, 20));
    n = await openConnections(server);
  }
  return n;
}

function frame(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + bytes.length);
  out.writeUInt32BE(bytes.length, 1);
  out.set(bytes, 5);
  return out;
}

/** A raw gRPC server answering every call with the status `trailers` ("trailers-only" or after one message). */
async function statusServer(trailers: http2.OutgoingHttpHeaders, withMessage: boolean): Promise<{ url: string; close(): Promise<void> }> {
  const server = http2.createServer();
  const sessions: http2.ServerHttp2Session[] = [];
  server.on("session", (s) => sessions.push(s));
  server.on("stream", (stream) => {
    stream.on("error", () => {});
    stream.on("data", () => {});
    stream.on("end", () => {
      if (!withMessage) {
        stream.respond({ ":status": 200, "content-type": "application/grpc", ...trailers }, { endStream: true });
        return;
      }
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.once("wantTrailers", () => stream.sendTrailers(trailers));
      stream.end(frame(toBinary(EchoResponseSchema, create(EchoResponseSchema, { text: "one" }))));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("fast path robustness", () => {
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown): void => {
    uncaught.push(e);
  };
  beforeAll(() => process.on("uncaughtException", onUncaught));
  afterAll(() => process.off("uncaughtException", onUncaught));
  afterEach(() => expect(uncaught.splice(0)).toEqual([]));

  describe("against serve()", () => {
    let server: Server;
    let sessionsSeen = 0;
    beforeAll(async () => {
      server = await startEchoServer();
      server.http2Server.on("session", () => sessionsSeen++);
    });
    afterAll(() => server.close());

    it("headers node refuses fail INVALID_ARGUMENT without touching the session", async () => {
      sessionsSeen = 0;
      const transport = createSluiceTransport({ baseUrl: server.url });
      const client = createClient(EchoService, transport);
      try {
        expect((await client.echo({ text: "first" })).text).toBe("first");
        // A call in flight on the same session must survive every bad call below.
        const slow = client.echo({ text: "slow", delayMs: 150 });
        const bad: [string, Promise<unknown>][] = [
          ["connection header", client.echo({ text: "x" }, { headers: { connection: "keep-alive" } })],
          ["two authorization values", client.echo({ text: "x" }, { headers: [["authorization", "a"], ["authorization", "b"]] })],
          ["name that is not a token", client.echo({ text: "x" }, { headers: { "bad header": "x" } })],
          ["streaming, connection header", (async () => {
            for await (const _ of client.serverStream({ text: "x", count: 1 }, { headers: { connection: "close" } })) break;
          })()],
        ];
        const outcomes = await Promise.all(bad.map(async ([what, call]) => [what, Code[(await rejection(call)).code]]));
        expect(outcomes).toEqual(bad.map(([what]) => [what, Code[Code.InvalidArgument]]));
        expect((await slow).text).toBe("slow");
        expect((await client.echo({ text: "after" })).text).toBe("after");
        expect(transport.connection.sessionsCreated).toBe(1);
        expect(sessionsSeen).toBe(1);
      } finally {
        transport.connection.abort();
      }
      expect(await waitForConnections(server.http2Server, 0, 1000)).toBe(0);
    });

    it("a 30-day deadline: the client and the server fast paths do not time out at once", async () => {
      const transport = createSluiceTransport({ baseUrl: server.url });
      const client = createClient(EchoService, transport);
      try {
        expect((await client.echo({ text: "u", delayMs: 30 }, { timeoutMs: thirtyDaysMs })).text).toBe("u");
        const texts: string[] = [];
        for await (const m of client.serverStream({ text: "s", count: 2, delayMs: 20 }, { timeoutMs: thirtyDaysMs })) texts.push(m.text);
        expect(texts).toEqual(["s", "s"]);
      } finally {
        transport.connection.abort();
      }
      // What grpc-go sends for a 30-day deadline, straight to the server.
      const session = http2.connect(server.url);
      session.on("error", () => {});
      try {
        for (const method of ["Echo", "ServerStream"]) {
          const status = await new Promise<string | undefined>((resolve) => {
            const stream = session.request({
              ":method": "POST",
              ":path": `/fastpath.v1.EchoService/${method}`,
              "content-type": "application/grpc",
              te: "trailers",
              "grpc-timeout": "2592000S",
            });
            let grpcStatus: string | undefined;
            const read = (h: http2.IncomingHttpHeaders): void => {
              if (h["grpc-status"] !== undefined) grpcStatus = `${String(h["grpc-status"])} ${String(h["grpc-message"] ?? "")}`.trim();
            };
            stream.on("response", read);
            stream.on("trailers", read);
            stream.on("data", () => {});
            stream.on("error", () => {});
            stream.on("close", () => resolve(grpcStatus));
            stream.end(frame(toBinary(EchoRequestSchema, create(EchoRequestSchema, { text: "r", count: 2, delayMs: 30 }))));
          });
          expect([method, status]).toEqual([method, "0"]);
        }
      } finally {
        session.destroy();
      }
    });

    it("abort() during a stream: UNAVAILABLE, not a missing status", async () => {
      const transport = createSluiceTransport({ baseUrl: server.url });
      const client = createClient(EchoService, transport);
      let received = 0;
      const consume = (async () => {
        for await (const _ of client.serverStream({ text: "s", count: 100, delayMs: 20 })) received++;
      })();
      for (let i = 0; i < 100 && received === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(received).toBeGreaterThan(0);
      transport.connection.abort();
      const error = await rejection(consume, 1000);
      expect(Code[error.code]).toBe(Code[Code.Unavailable]);
    });

    it("abort() also closes sessions that received GOAWAY and still carry streams", async () => {
      const sessions: http2.ServerHttp2Session[] = [];
      const onSession = (s: http2.ServerHttp2Session): void => void sessions.push(s);
      server.http2Server.on("session", onSession);
      const transport = createSluiceTransport({ baseUrl: server.url });
      const client = createClient(EchoService, transport);
      let received = 0;
      const consume = (async () => {
        for await (const _ of client.serverStream({ text: "s", count: 100, delayMs: 20 })) received++;
      })();
      try {
        for (let i = 0; i < 100 && received === 0; i++) await new Promise((r) => setTimeout(r, 10));
        expect(sessions).toHaveLength(1);
        // Graceful GOAWAY: the stream goes on, the client stops using the session for new calls.
        for (const s of sessions) s.goaway(http2.constants.NGHTTP2_NO_ERROR, 2 ** 31 - 1);
        for (let i = 0; i < 100 && transport.connection.state() !== "closed"; i++) await new Promise((r) => setTimeout(r, 10));
        expect(transport.connection.state()).toBe("closed");
        transport.connection.abort();
        const error = await rejection(consume, 1000);
        expect(Code[error.code]).toBe(Code[Code.Unavailable]);
        const atAbort = received;
        await new Promise((r) => setTimeout(r, 100));
        expect(received).toBe(atAbort);
        expect(await waitForConnections(server.http2Server, 0, 1000)).toBe(0);
      } finally {
        server.http2Server.off("session", onSession);
        transport.connection.abort();
      }
    });
  });

  describe.each([
    ["trailers-only", false],
    ["trailers after a message", true],
  ])("a status the client cannot decode (%s)", (_name, withMessage) => {
    it.each([
      ["grpc-message that is not percent-encoding", { "grpc-status": "14", "grpc-message": "disk 100% full" }, Code.Unavailable, "disk 100% full"],
      ["malformed grpc-status-details-bin", { "grpc-status": "9", "grpc-message": "plain%20text", "grpc-status-details-bin": "EhBB" }, Code.FailedPrecondition, "plain text"],
    ] as const)("%s: the status and the raw text, never a crash", async (_what, trailers, code, message) => {
      const server = await statusServer(trailers, withMessage);
      const transport = createSluiceTransport({ baseUrl: server.url });
      const client = createClient(EchoService, transport);
      try {
        const unary = await rejection(client.echo({ text: "x" }));
        expect([Code[unary.code], unary.rawMessage]).toEqual([Code[code], message]);
        const stream = await rejection(
          (async () => {
            for await (const _ of client.serverStream({ text: "x", count: 1 })) {
              // drain
            }
          })(),
        );
        expect([Code[stream.code], stream.rawMessage]).toEqual([Code[code], message]);
      } finally {
        transport.connection.abort();
        await server.close();
      }
    });
  });

  describe("Connect-protocol streaming fallback", () => {
    let server: Server;
    beforeAll(async () => {
      server = await startEchoServer();
    });
    afterAll(() => server.close());

    const streamOnce = async (client: ReturnType<typeof createClient<typeof EchoService>>): Promise<number> => {
      let n = 0;
      for await (const _ of client.serverStream({ text: "s", count: 2 })) n++;
      return n;
    };

    it("its session is closed by the connection's abort()", async () => {
      const transport = createSluiceTransport({ baseUrl: server.url, protocol: "connect" });
      const client = createClient(EchoService, transport);
      try {
        expect(await streamOnce(client)).toBe(2);
        expect(await openConnections(server.http2Server)).toBe(1);
      } finally {
        transport.connection.abort();
      }
      expect(await waitForConnections(server.http2Server, 0, 1000)).toBe(0);
    });

    it("its session follows the connection's keepalive settings (idle timeout)", async () => {
      const transport = createSluiceTransport({
        baseUrl: server.url,
        protocol: "connect",
        connectionOptions: { idleConnectionTimeoutMs: 100 },
      });
      const client = createClient(EchoService, transport);
      try {
        expect(await streamOnce(client)).toBe(2);
        expect(await waitForConnections(server.http2Server, 0, 1500)).toBe(0);
      } finally {
        transport.connection.abort();
      }
    });
  });
});

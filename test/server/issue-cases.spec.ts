// The malformed inputs of issue 9 against serve() on both server transports, with the exact bytes:
// a gRPC length prefix split across DATA frames, a huge declared length on a server-streaming call
// left open, deadlines beyond setTimeout's range on every protocol, and sessions left behind by a
// connection error or a GOAWAY.
import * as http2 from "node:http2";
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import type { Server } from "@sluice/runtime";
import { EchoRequestSchema } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { startEchoServer } from "../fast-path/echo-service.js";
import { envelope, grpcStatusOf, rawRequest } from "../support/raw-h2.js";
import { connections, settle, trackSessions } from "../support/server-probes.js";

const echoPath = "/fastpath.v1.EchoService/Echo";
const streamPath = "/fastpath.v1.EchoService/ServerStream";
const grpcHeaders = (path: string, extra: http2.OutgoingHttpHeaders = {}): http2.OutgoingHttpHeaders => ({
  ":method": "POST",
  ":path": path,
  "content-type": "application/grpc",
  te: "trailers",
  ...extra,
});
const hugePrefixTail = Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.alloc(8, 0x61)]);

describe.each(["sluice", "connect-node"] as const)("serve() with transport %s", (transport) => {
  let server: Server;
  let session: http2.ClientHttp2Session;
  beforeAll(async () => {
    server = await startEchoServer({ transport, readMaxBytes: 4096 });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    session = http2.connect(server.url);
    session.on("error", () => {});
  });
  afterEach(() => {
    session.destroy();
  });

  it("a length prefix split across DATA frames (00 | ff ff ff ff + 8 bytes, open) gets RESOURCE_EXHAUSTED at once", async () => {
    const out = await rawRequest(session, grpcHeaders(echoPath), [Buffer.from([0x00]), hugePrefixTail], { end: false, waitMs: 2000 });
    expect(out.timedOut).toBeUndefined();
    expect(grpcStatusOf(out)).toBe(8);
  });

  it("server streaming with 00 ff ff ff ff + 8 bytes, left open, gets RESOURCE_EXHAUSTED at once", async () => {
    const out = await rawRequest(session, grpcHeaders(streamPath), [Buffer.concat([Buffer.from([0x00]), hugePrefixTail])], {
      end: false,
      waitMs: 2000,
    });
    expect(out.timedOut).toBeUndefined();
    expect(grpcStatusOf(out)).toBe(8);
  });

  describe("deadlines longer than a timer can wait run the call", () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.name);
    };
    beforeAll(() => process.on("warning", onWarning));
    afterAll(() => process.off("warning", onWarning));

    const message = toBinary(EchoRequestSchema, create(EchoRequestSchema, { text: "far", count: 1 }));
    const json = Buffer.from(toJsonString(EchoRequestSchema, create(EchoRequestSchema, { text: "far", count: 1 })));
    const cases: ReadonlyArray<[string, http2.OutgoingHttpHeaders, Buffer]> = [
      ["gRPC, grpc-timeout 99999999H", grpcHeaders(echoPath, { "grpc-timeout": "99999999H" }), envelope(message)],
      ["gRPC, grpc-timeout 2592000S", grpcHeaders(echoPath, { "grpc-timeout": "2592000S" }), envelope(message)],
      ["gRPC server streaming, grpc-timeout 2592000S", grpcHeaders(streamPath, { "grpc-timeout": "2592000S" }), envelope(message)],
      ["gRPC JSON, grpc-timeout 2592000S", grpcHeaders(echoPath, { "grpc-timeout": "2592000S", "content-type": "application/grpc+json" }), envelope(json)],
      [
        "gRPC-Web, grpc-timeout 99999999H",
        { ":method": "POST", ":path": echoPath, "content-type": "application/grpc-web+proto", "x-grpc-web": "1", "grpc-timeout": "99999999H" },
        envelope(message),
      ],
      [
        "Connect proto, connect-timeout-ms 9999999999",
        { ":method": "POST", ":path": echoPath, "content-type": "application/proto", "connect-timeout-ms": "9999999999" },
        Buffer.from(message),
      ],
      [
        "Connect JSON, connect-timeout-ms 9999999999",
        { ":method": "POST", ":path": echoPath, "content-type": "application/json", "connect-timeout-ms": "9999999999" },
        json,
      ],
      [
        "Connect streaming, connect-timeout-ms 9999999999",
        { ":method": "POST", ":path": streamPath, "content-type": "application/connect+proto", "connect-timeout-ms": "9999999999" },
        envelope(message),
      ],
    ];
    it.each(cases)("%s", async (_name, headers, body) => {
      const out = await rawRequest(session, headers, [body]);
      expect(out.status).toBe(200);
      const type = String(out.headers?.["content-type"]);
      if (type.startsWith("application/grpc-web")) {
        // The status is in the trailer frame at the end of the body.
        expect(out.body.toString("latin1")).toMatch(/grpc-status: ?0\r\n/);
      } else if (type.startsWith("application/grpc")) {
        expect(grpcStatusOf(out)).toBe(0);
      } else if (type.startsWith("application/connect")) {
        expect(out.body.toString("latin1")).not.toContain("deadline_exceeded");
      }
      expect(out.body.toString("latin1")).toContain("far");
      expect(warnings).not.toContain("TimeoutOverflowWarning");
    });

    it("a deadline over maxTimeoutMs is still refused (INVALID_ARGUMENT)", async () => {
      const strict = await startEchoServer({ transport, maxTimeoutMs: 60_000 });
      const s = http2.connect(strict.url);
      s.on("error", () => {});
      try {
        const out = await rawRequest(s, grpcHeaders(echoPath, { "grpc-timeout": "2592000S", "content-type": "application/grpc+json" }), [envelope(json)]);
        expect(grpcStatusOf(out)).toBe(3);
        expect(warnings).not.toContain("TimeoutOverflowWarning");
      } finally {
        s.destroy();
        await strict.close();
      }
    });
  });

  it("20 connections that provoke GOAWAY COMPRESSION_ERROR (a 1 MB header) leave no session or socket behind", async () => {
    const short = await startEchoServer({ transport, hardening: { firstRequestTimeoutMs: 300, idleTimeoutMs: 300, goawayGraceMs: 200 } });
    const sessions = trackSessions(short);
    const clients: http2.ClientHttp2Session[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const client = http2.connect(short.url, { maxSendHeaderBlockLength: 4 * 1024 * 1024 });
        client.on("error", () => {});
        clients.push(client);
        const goaway = new Promise<number>((resolve) => client.once("goaway", resolve));
        const req = client.request({ ":method": "POST", ":path": echoPath, "content-type": "application/grpc", "x-big": "a".repeat(1024 * 1024) });
        req.on("error", () => {});
        expect(await goaway).toBe(http2.constants.NGHTTP2_COMPRESSION_ERROR);
      }
      expect(await settle(sessions.open, 0, 3000)).toBe(0);
      expect(await settle(() => connections(short), 0, 1000)).toBe(0);
    } finally {
      for (const client of clients) client.destroy();
      await short.close();
    }
  });

  it("a session that received GOAWAY with a call still running is destroyed after goawayGraceMs", async () => {
    const short = await startEchoServer({ transport, hardening: { goawayGraceMs: 300 } });
    const sessions = trackSessions(short);
    const client = http2.connect(short.url);
    client.on("error", () => {});
    try {
      const body = envelope(toBinary(EchoRequestSchema, create(EchoRequestSchema, { text: "slow", delayMs: 60_000 })));
      const call = rawRequest(client, grpcHeaders(echoPath), [body], { waitMs: 5000 });
      await settle(sessions.open, 1, 1000);
      await new Promise((r) => setTimeout(r, 50));
      // GOAWAY from the client, whose socket stays open and whose call never ends by itself.
      client.goaway(http2.constants.NGHTTP2_NO_ERROR, 0);
      const out = await call;
      expect(out.timedOut).toBeUndefined();
      expect(await settle(sessions.open, 0, 1000)).toBe(0);
      expect(await settle(() => connections(short), 0, 1000)).toBe(0);
    } finally {
      client.destroy();
      await short.close();
    }
  });
});

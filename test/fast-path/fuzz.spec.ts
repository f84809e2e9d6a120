// Fuzz-style robustness of serve() on both server transports: seeded random and mutated bodies,
// content types, timeouts and early resets over real HTTP/2, each body split at random byte
// boundaries across DATA frames (and, for declared lengths over readMaxBytes, left open), plus raw
// garbage after the connection preface. Every request must end with a well-formed gRPC or Connect
// error (or success) — never a hang — and the server must keep serving.
import * as http2 from "node:http2";
import * as net from "node:net";
import { envelope, grpcStatusOf, rawRequest } from "../support/raw-h2.js";
import { create, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import type { Server } from "@sluice/runtime";
import { createSluiceTransport } from "../../packages/runtime/src/transport/sluice-transport.js";
import { EchoRequestSchema, EchoService } from "./gen/fastpath/v1/echo_pb.js";
import { startEchoServer } from "./echo-service.js";
import { seededRandom } from "../support/seeded-random.js";

const rng = seededRandom;

const connectCodes = new Set([
  "canceled", "unknown", "invalid_argument", "deadline_exceeded", "not_found", "already_exists", "permission_denied",
  "resource_exhausted", "failed_precondition", "aborted", "out_of_range", "unimplemented", "internal", "unavailable",
  "data_loss", "unauthenticated",
]);

/** Cuts `body` at up to `maxCuts` random byte boundaries: each piece goes out as its own DATA frame. */
function splitAtRandom(body: Buffer, random: () => number, maxCuts: number): Buffer[] {
  const cuts = new Set<number>();
  const count = Math.floor(random() * (maxCuts + 1));
  for (let i = 0; i < count && body.length > 1; i++) cuts.add(1 + Math.floor(random() * (body.length - 1)));
  const points = [0, ...[...cuts].sort((x, y) => x - y), body.length];
  return points.slice(1).map((end, i) => body.subarray(points[i], end));
}

describe.each(["sluice", "connect-node"] as const)("fuzzing serve() with transport %s", (transport) => {
  let server: Server;
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown): void => {
    uncaught.push(e);
  };
  beforeAll(async () => {
    process.on("uncaughtException", onUncaught);
    server = await startEchoServer({ transport, readMaxBytes: 4096 });
  });
  afterAll(async () => {
    process.off("uncaughtException", onUncaught);
    await server.close();
  });

  it.each([
    ["whole", 20261124, 0],
    ["split at random byte boundaries across DATA frames", 20261201, 6],
  ] as const)("answers 300 random and mutated requests, %s, with proper codes and stays up", async (_name, seed, maxCuts) => {
    const random = rng(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const valid = toBinary(EchoRequestSchema, create(EchoRequestSchema, { text: "fuzz", payload: new Uint8Array(40).fill(7), count: 2 }));
    const session = http2.connect(server.url);
    session.on("error", () => {});
    const tally = new Map<string, number>();
    try {
      for (let i = 0; i < 300; i++) {
        const path = pick(["/fastpath.v1.EchoService/Echo", "/fastpath.v1.EchoService/ServerStream", "/fastpath.v1.EchoService/Nope", "/x"]);
        const contentType = pick(["application/grpc", "application/grpc+proto", "application/proto", "application/json", "text/plain", undefined]);
        const mutation = pick(["random", "flip", "truncate", "length", "huge", "compressed", "double", "empty", "valid"]);
        let body: Buffer;
        const raw = Buffer.from(valid);
        switch (mutation) {
          case "random":
            body = Buffer.from(Array.from({ length: Math.floor(random() * 120) }, () => Math.floor(random() * 256)));
            break;
          case "flip": {
            body = contentType === "application/proto" ? raw : envelope(raw);
            const at = Math.floor(random() * body.length);
            body[at] = (body[at] as number) ^ (1 << Math.floor(random() * 8));
            break;
          }
          case "truncate":
            body = envelope(raw).subarray(0, Math.floor(random() * (raw.length + 5)));
            break;
          case "length":
            body = envelope(raw, 0, raw.length + 1 + Math.floor(random() * 50));
            break;
          case "huge":
            body = envelope(raw, 0, 0xffffffff);
            break;
          case "compressed":
            body = envelope(raw, 1);
            break;
          case "double":
            body = Buffer.concat([envelope(raw), envelope(raw)]);
            break;
          case "empty":
            body = Buffer.alloc(0);
            break;
          default:
            body = contentType === "application/proto" ? raw : envelope(raw);
        }
        const headers: http2.OutgoingHttpHeaders = { ":method": pick(["POST", "POST", "POST", "GET", "PUT"]), ":path": path, te: "trailers" };
        if (contentType !== undefined) headers["content-type"] = contentType;
        if (random() < 0.15) headers["grpc-timeout"] = pick(["1m", "x", "999999999S", "5S", "-1m"]);
        if (random() < 0.1) headers["connect-timeout-ms"] = pick(["abc", "10", "99999999999"]);
        if (random() < 0.05) headers["grpc-encoding"] = pick(["gzip", "snappy", "identity"]);
        const resetEarly = random() < 0.05;
        const chunks = splitAtRandom(body, random, maxCuts);
        const out = await rawRequest(session, headers, chunks, { resetEarly });
        expect(out.timedOut).not.toBe(true);
        if (mutation === "huge" && contentType?.startsWith("application/grpc") === true && headers[":method"] === "POST" && !resetEarly) {
          // A declared length over readMaxBytes is refused before the request ends, however split.
          const open = await rawRequest(session, headers, chunks, { end: false, waitMs: 2000 });
          expect({ mutation, chunks: chunks.map((c) => c.length), timedOut: open.timedOut }).toEqual({ mutation, chunks: chunks.map((c) => c.length), timedOut: undefined });
        }
        if (resetEarly || out.status === undefined) continue;
        expect(Number.isInteger(out.status)).toBe(true);
        const type = String(out.headers?.["content-type"] ?? "");
        if (type.startsWith("application/grpc")) {
          const code = grpcStatusOf(out) as number;
          expect(code).toBeDefined();
          expect(code >= 0 && code <= 16).toBe(true);
          tally.set(`grpc ${code}`, (tally.get(`grpc ${code}`) ?? 0) + 1);
        } else if (type.startsWith("application/json") && out.status !== 200) {
          const error = JSON.parse(out.body.toString("utf8")) as { code?: string };
          expect(connectCodes.has(String(error.code))).toBe(true);
          tally.set(`connect ${String(error.code)}`, (tally.get(`connect ${String(error.code)}`) ?? 0) + 1);
        } else {
          tally.set(`http ${out.status}`, (tally.get(`http ${out.status}`) ?? 0) + 1);
        }
      }
    } finally {
      session.close();
    }
    // Malformed gRPC bodies were answered with protocol errors, not only with successes.
    const errors = [...tally.entries()].filter(([k]) => k.startsWith("grpc ") && k !== "grpc 0").reduce((n, [, v]) => n + v, 0);
    expect(errors).toBeGreaterThan(10);
    const transport = createSluiceTransport({ baseUrl: server.url });
    try {
      expect((await createClient(EchoService, transport).echo({ text: "alive" })).text).toBe("alive");
    } finally {
      transport.connection.abort();
    }
    expect(uncaught).toEqual([]);
  });

  it.each([
    ["huge declared length", 8, envelope(Buffer.from([10, 1, 97]), 0, 0xffffffff)],
    ["over readMaxBytes", 8, envelope(Buffer.alloc(5000))],
    ["compressed flag without grpc-encoding", 13, envelope(Buffer.from([10, 1, 97]), 1)],
    ["two messages for a unary method", 12, Buffer.concat([envelope(Buffer.from([10, 1, 97])), envelope(Buffer.from([10, 1, 97]))])],
    ["no message", 12, Buffer.alloc(0)],
    ["truncated prefix", 3, Buffer.from([0, 0, 0])],
    ["truncated message", 3, envelope(Buffer.from([10, 1, 97]), 0, 10)],
    ["undecodable protobuf", 13, envelope(Buffer.from([0xff, 0xff, 0xff]))],
  ] as const)("gRPC unary with %s: grpc-status %i", async (_name, code, body) => {
    const session = http2.connect(server.url);
    session.on("error", () => {});
    try {
      const out = await rawRequest(session, { ":method": "POST", ":path": "/fastpath.v1.EchoService/Echo", "content-type": "application/grpc", te: "trailers" }, [body]);
      expect(out.status).toBe(200);
      expect(grpcStatusOf(out)).toBe(code);
    } finally {
      session.close();
    }
  });

  it.each([
    ["text/plain", 415],
    ["application/grpc-foo", 415],
  ])("content type %s: HTTP %i from the fallback", async (contentType, status) => {
    const session = http2.connect(server.url);
    session.on("error", () => {});
    try {
      const out = await rawRequest(session, { ":method": "POST", ":path": "/fastpath.v1.EchoService/Echo", "content-type": contentType }, [Buffer.from("x")]);
      expect(out.status).toBe(status);
    } finally {
      session.close();
    }
  });

  it("survives 30 connections of random bytes after the HTTP/2 preface", async () => {
    const random = rng(7);
    for (let i = 0; i < 30; i++) {
      await new Promise<void>((resolve) => {
        const socket = net.connect(server.port, "127.0.0.1", () => {
          const garbage = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
          socket.write(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), garbage]));
          setTimeout(() => socket.destroy(), 20);
        });
        socket.on("error", () => {});
        socket.on("close", () => resolve());
      });
    }
    const transport = createSluiceTransport({ baseUrl: server.url });
    try {
      expect((await createClient(EchoService, transport).echo({ text: "still" })).text).toBe("still");
    } finally {
      transport.connection.abort();
    }
    expect(uncaught).toEqual([]);
  });
});

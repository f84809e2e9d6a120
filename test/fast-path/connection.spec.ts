// The fast client's connection management against raw node:http2 servers: GOAWAY on an idle
// session, GOAWAY below calls in flight (transparent retry on a new session), REFUSED_STREAM (one
// retry), connection failure, idle timeout and abort.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createSluiceTransport } from "../../packages/runtime/src/transport/sluice-transport.js";
import { createSluiceConnection } from "../../packages/runtime/src/transport/endpoint-connection.js";
import { EchoRequestSchema, EchoResponseSchema, EchoService } from "./gen/fastpath/v1/echo_pb.js";

type Behaviour = (stream: http2.ServerHttp2Stream, session: http2.ServerHttp2Session, sessionIndex: number, answer: () => void) => void;

/** A raw gRPC echo server whose per-stream behaviour the test decides. */
async function rawServer(behaviour: Behaviour): Promise<{ url: string; sessions: http2.ServerHttp2Session[]; close(): Promise<void> }> {
  const server = http2.createServer();
  const sessions: http2.ServerHttp2Session[] = [];
  server.on("session", (s) => {
    sessions.push(s);
    s.on("error", () => {});
  });
  server.on("stream", (stream, _headers) => {
    stream.on("error", () => {});
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    const answer = (): void => {
      const body = Buffer.concat(chunks);
      const request = fromBinary(EchoRequestSchema, body.subarray(5));
      const out = toBinary(EchoResponseSchema, create(EchoResponseSchema, { text: request.text }));
      const frame = Buffer.alloc(5 + out.length);
      frame.writeUInt32BE(out.length, 1);
      frame.set(out, 5);
      if (stream.destroyed) return;
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(frame);
    };
    stream.on("end", () => behaviour(stream, stream.session as http2.ServerHttp2Session, sessions.indexOf(stream.session as http2.ServerHttp2Session), answer));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    sessions,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("fast client connection management", () => {
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown): void => {
    uncaught.push(e);
  };
  beforeAll(() => process.on("uncaughtException", onUncaught));
  afterAll(() => process.off("uncaughtException", onUncaught));
  afterEach(() => expect(uncaught).toEqual([]));

  it("GOAWAY on an idle session: no crash, the next call opens a new session", async () => {
    const server = await rawServer((_s, _session, _i, answer) => answer());
    const transport = createSluiceTransport({ baseUrl: server.url });
    const client = createClient(EchoService, transport);
    try {
      for (let round = 0; round < 5; round++) {
        expect((await client.echo({ text: `r${round}` })).text).toBe(`r${round}`);
        for (const s of server.sessions) if (!s.destroyed) s.goaway(round % 2 === 0 ? 0 : 2);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(transport.connection.sessionsCreated).toBe(5);
    } finally {
      transport.connection.abort();
      await server.close();
    }
  });

  it("GOAWAY below calls in flight: accepted calls finish, the others retry on a new session", async () => {
    const server = await rawServer((stream, session, index, answer) => {
      if (index === 0 && stream.id === 1) {
        // Accept stream 1, refuse everything after it, then answer stream 1.
        session.goaway(0, 1);
        setTimeout(answer, 30);
        return;
      }
      if (index === 0) return; // never answered: the client must not wait for these
      answer();
    });
    const transport = createSluiceTransport({ baseUrl: server.url });
    const client = createClient(EchoService, transport);
    try {
      await transport.connection.connect();
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => client.echo({ text: `c${i}` }, { timeoutMs: 3000 })));
      expect(results.map((r) => r.text)).toEqual(["c0", "c1", "c2", "c3", "c4", "c5"]);
      expect(transport.connection.sessionsCreated).toBe(2);
    } finally {
      transport.connection.abort();
      await server.close();
    }
  });

  it("REFUSED_STREAM: retried once transparently; refused twice is UNAVAILABLE", async () => {
    let refusals = 1;
    const server = await rawServer((stream, _session, _index, answer) => {
      if (refusals > 0) {
        refusals--;
        stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
        return;
      }
      answer();
    });
    const transport = createSluiceTransport({ baseUrl: server.url });
    const client = createClient(EchoService, transport);
    try {
      expect((await client.echo({ text: "once" })).text).toBe("once");
      refusals = 2;
      const error = ConnectError.from(await client.echo({ text: "twice" }).catch((e: unknown) => e));
      expect(error.code).toBe(Code.Unavailable);
    } finally {
      transport.connection.abort();
      await server.close();
    }
  });

  it("a server that is not there: connect() reports error and calls fail UNAVAILABLE", async () => {
    const server = await rawServer(() => {});
    const url = server.url;
    await server.close();
    const connection = createSluiceConnection(url, { connectTimeoutMs: 2000 });
    expect(await connection.connect()).toBe("error");
    expect(connection.state()).toBe("error");
    const transport = createSluiceTransport({ baseUrl: url, connection });
    const error = ConnectError.from(await createClient(EchoService, transport).echo({ text: "x" }).catch((e: unknown) => e));
    expect(error.code).toBe(Code.Unavailable);
    connection.abort();
    expect(connection.state()).toBe("closed");
  });

  it("idle timeout closes the session; abort refuses new calls", async () => {
    const server = await rawServer((_s, _session, _i, answer) => answer());
    const connection = createSluiceConnection(server.url, { idleConnectionTimeoutMs: 100, pingIntervalMs: 20, pingIdleConnection: true });
    const client = createClient(EchoService, createSluiceTransport({ baseUrl: server.url, connection }));
    try {
      expect(await connection.connect()).toBe("idle");
      expect((await client.echo({ text: "a" })).text).toBe("a");
      await new Promise((r) => setTimeout(r, 10));
      expect(connection.state()).toBe("idle");
      await new Promise((r) => setTimeout(r, 300));
      expect(connection.state()).toBe("closed");
      expect((await client.echo({ text: "b" })).text).toBe("b");
      expect(connection.sessionsCreated).toBe(2);
      connection.abort();
      const error = ConnectError.from(await client.echo({ text: "c" }).catch((e: unknown) => e));
      expect(error.code).toBe(Code.Unavailable);
    } finally {
      connection.abort();
      await server.close();
    }
  });

  it("rejects bad options naming the field", () => {
    expect(() => createSluiceConnection("http://127.0.0.1:1", { pingIntervalMs: -1 })).toThrow(/pingIntervalMs/);
    expect(() => createSluiceTransport({ baseUrl: "http://127.0.0.1:1", readMaxBytes: 0 })).toThrow(/readMaxBytes/);
    expect(() => createSluiceTransport({ baseUrl: "http://127.0.0.1:1", protocol: "grpc-web" as never })).toThrow(/protocol/);
  });
});

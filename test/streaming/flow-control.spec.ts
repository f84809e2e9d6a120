// HTTP/2 flow control of channels and serve(): the receive windows each side advertises and opens
// (defaults and configured, both client transports), 64 KiB messages streamed intact, and a stalled
// reader of a 64 KiB stream still holding the server back.
import * as http2 from "node:http2";
import { once } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { createClient } from "@connectrpc/connect";
import { createChannel, createSluiceTransport, serve, type Server, type ServeOptions, type TransportImplementation } from "@sluice/runtime";
import { EchoService, type EchoRequest } from "../fast-path/gen/fastpath/v1/echo_pb.js";

const KIB = 1024;
const MIB = 1024 * KIB;

/** serve() with a ServerStream that yields `count` copies of the payload, counting what it yielded. */
async function startStreamServer(options: Partial<ServeOptions> = {}): Promise<{ server: Server; yielded: () => number; sessions: http2.ServerHttp2Session[]; streams: http2.ServerHttp2Stream[] }> {
  let yielded = 0;
  const sessions: http2.ServerHttp2Session[] = [];
  const streams: http2.ServerHttp2Stream[] = [];
  const server = await serve({
    host: "127.0.0.1",
    shutdownGraceMs: 0,
    routes: (router) =>
      router.service(EchoService, {
        async *serverStream(request: EchoRequest) {
          // text "reuse": one buffer, refilled with the message's index for every message.
          const reused = request.text === "reuse" ? new Uint8Array(request.payload.byteLength) : undefined;
          for (let i = 0; i < request.count; i++) {
            yielded++;
            yield { index: i, payload: reused?.fill(i & 0xff) ?? request.payload };
          }
        },
      }),
    ...options,
  });
  server.http2Server.on("session", (session: http2.ServerHttp2Session) => sessions.push(session));
  server.http2Server.on("stream", (stream: http2.ServerHttp2Stream) => streams.push(stream));
  return { server, yielded: () => yielded, sessions, streams };
}

/** Waits until `check` holds (polling), failing after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await delay(10);
  }
}

/** A payload whose bytes differ by position, so a reordered or shifted chunk would show. */
function patterned(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

describe("a channel's receive windows", () => {
  let stream: Awaited<ReturnType<typeof startStreamServer>>;
  beforeAll(async () => {
    stream = await startStreamServer();
  });
  afterAll(async () => {
    await stream.server.close();
  });

  it.each<[TransportImplementation, { streamWindowBytes: number; connectionWindowBytes: number } | undefined, number, number]>([
    ["sluice", undefined, MIB, 2 * MIB],
    ["sluice", { streamWindowBytes: 256 * KIB, connectionWindowBytes: 3 * MIB }, 256 * KIB, 3 * MIB],
    ["connect-node", undefined, MIB, 2 * MIB],
    ["connect-node", { streamWindowBytes: 512 * KIB, connectionWindowBytes: 4 * MIB }, 512 * KIB, 4 * MIB],
  ])("on %s with %j: the server sees a stream window of %d and a connection window of %d", async (implementation, flowControl, streamWindow, connectionWindow) => {
    const before = stream.sessions.length;
    const channel = createChannel({ target: `static:///127.0.0.1:${stream.server.port}`, transport: { implementation, flowControl } });
    try {
      const client = createClient(EchoService, channel);
      let received = 0;
      for await (const _ of client.serverStream({ count: 3, payload: new Uint8Array(10) })) received++;
      expect(received).toBe(3);
      const session = stream.sessions[before] as http2.ServerHttp2Session;
      expect(session.remoteSettings.initialWindowSize).toBe(streamWindow);
      // What the server may still send on the connection: the client's window, less the few response
      // bytes the client has not credited back yet (HTTP/2 peers re-credit once half is used).
      const remote = session.state.remoteWindowSize as number;
      expect(remote).toBeGreaterThan(connectionWindow - KIB);
      expect(remote).toBeLessThanOrEqual(connectionWindow);
    } finally {
      await channel.close(100);
    }
  });
});

describe("serve()'s receive windows", () => {
  const connect = async (port: number): Promise<http2.ClientHttp2Session> => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    await once(session, "remoteSettings");
    return session;
  };

  it.each<[string, ServeOptions["flowControl"], number, number]>([
    ["defaults", undefined, 65_535, 2 * MIB],
    ["configured", { streamWindowBytes: MIB, connectionWindowBytes: 8 * MIB }, MIB, 8 * MIB],
  ])("%s: a client sees the server's stream window and connection window", async (_name, flowControl, streamWindow, connectionWindow) => {
    const { server } = await startStreamServer({ flowControl });
    const session = await connect(server.port);
    try {
      expect(session.remoteSettings.initialWindowSize).toBe(streamWindow);
      await until(() => session.state.remoteWindowSize === connectionWindow);
    } finally {
      session.destroy();
      await server.close();
    }
  });

  it("an explicit http2Options.settings.initialWindowSize wins over flowControl", async () => {
    const { server } = await startStreamServer({ flowControl: { streamWindowBytes: MIB }, http2Options: { settings: { initialWindowSize: 100_000 } } });
    const session = await connect(server.port);
    try {
      expect(session.remoteSettings.initialWindowSize).toBe(100_000);
    } finally {
      session.destroy();
      await server.close();
    }
  });
});

describe("flow-control options are checked at construction", () => {
  it.each<[string, unknown]>([
    ["streamWindowBytes", 1000],
    ["streamWindowBytes", 2 ** 31],
    ["connectionWindowBytes", 1.5e6 + 0.5],
    ["connectionWindowBytes", "1MiB"],
  ])("%s = %j is refused by createChannel, createSluiceTransport and serve", async (field, value) => {
    const flowControl = { [field]: value } as never;
    const message = new RegExp(`flowControl\\.${field}: must be an integer from 65535 to 2147483647 \\(bytes\\)`);
    expect(() => createChannel({ target: "static:///127.0.0.1:1", transport: { flowControl } })).toThrow(message);
    expect(() => createSluiceTransport({ baseUrl: "http://127.0.0.1:1", connectionOptions: { flowControl } })).toThrow(message);
    await expect(serve({ routes: () => {}, flowControl })).rejects.toThrow(message);
  });
});

describe("server streaming of 64 KiB messages", () => {
  let stream: Awaited<ReturnType<typeof startStreamServer>>;
  beforeAll(async () => {
    stream = await startStreamServer();
  });
  afterAll(async () => {
    await stream.server.close();
  });
  const transport = () => createSluiceTransport({ baseUrl: stream.server.url });

  it("delivers every message intact, at sizes around the server's copy/no-copy boundary and at 64 KiB", async () => {
    const t = transport();
    try {
      const client = createClient(EchoService, t);
      for (const bytes of [8 * KIB - 1, 8 * KIB, 64 * KIB, 64 * KIB + 3]) {
        const payload = patterned(bytes);
        let index = 0;
        for await (const message of client.serverStream({ count: 40, payload })) {
          expect(message.index).toBe(index++);
          expect(Buffer.compare(message.payload, payload)).toBe(0);
        }
        expect(index).toBe(40);
      }
    } finally {
      t.connection.abort();
    }
  });

  it.each([8 * KIB, 12 * KIB, 64 * KIB])("a handler that refills one %d-byte buffer for every message sends each message as it was when yielded", async (bytes) => {
    const t = transport();
    try {
      const client = createClient(EchoService, t);
      let index = 0;
      for await (const message of client.serverStream({ text: "reuse", count: 200, payload: new Uint8Array(bytes) })) {
        expect(message.index).toBe(index);
        expect(message.payload.byteLength).toBe(bytes);
        expect(message.payload.every((b) => b === (index & 0xff))).toBe(true);
        index++;
      }
      expect(index).toBe(200);
    } finally {
      t.connection.abort();
    }
  });

  it("a reader that stops bounds what the server produces and buffers (the client's queue plus its window)", async () => {
    const t = transport();
    const abort = new AbortController();
    const base = stream.yielded();
    try {
      const client = createClient(EchoService, t);
      const messages = client.serverStream({ count: 10_000, payload: new Uint8Array(64 * KIB) }, { signal: abort.signal })[Symbol.asyncIterator]();
      expect((await messages.next()).done).toBe(false);
      // The handler runs ahead until HTTP/2 flow control stops it, then stays put.
      await delay(300);
      const settled = stream.yielded() - base;
      await delay(500);
      const later = stream.yielded() - base;
      expect(later).toBe(settled);
      // The client's queue (32 messages) + its 1 MiB stream window (16 messages of 65,546 wire bytes)
      // + the message being written and the one the generator has ready.
      expect(later).toBeLessThanOrEqual(32 + Math.ceil(MIB / (64 * KIB + 10)) + 3);
      expect(later).toBeLessThan(10_000);
      const serverStream = stream.streams[stream.streams.length - 1] as http2.ServerHttp2Stream;
      expect(serverStream.writableLength).toBeLessThanOrEqual(64 * KIB + 16);
    } finally {
      abort.abort();
      t.connection.abort();
    }
  });
});

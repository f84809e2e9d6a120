// The fast client never resets an HTTP/2 stream from inside one of that stream's event handlers: on
// Node 20 such a reset can free the stream while nghttp2 is still processing the frame behind the
// event, which corrupted the heap of the test process (see transport/reset-stream.ts).
import * as http2 from "node:http2";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import type { Server } from "@sluice/runtime";
import { createSluiceTransport, type SluiceTransport } from "../../packages/runtime/src/transport/sluice-transport.js";
import { EchoService } from "./gen/fastpath/v1/echo_pb.js";
import { startEchoServer } from "./echo-service.js";
import { eventually } from "../support/inventory.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { EchoRequestSchema } from "./gen/fastpath/v1/echo_pb.js";

type Init = MessageInitShape<typeof EchoRequestSchema>;

/** The prototype node gives client streams (ClientHttp2Stream is not exported), from a stream to `url`. */
function clientStreamPrototype(url: string): object {
  const session = http2.connect(url);
  session.on("error", () => {});
  const stream = session.request({ ":path": "/" });
  stream.on("error", () => {});
  const proto = Object.getPrototypeOf(stream) as object;
  session.destroy();
  return proto;
}

/** Records every `close()` of a client stream made while one of its events is being emitted. */
function watchResetsInsideEvents(streamPrototype: object): { readonly inside: string[]; readonly closes: number[]; restore(): void } {
  const proto = streamPrototype as {
    emit(event: string | symbol, ...args: unknown[]): boolean;
    close(code?: number, callback?: () => void): void;
  };
  const hadOwn = { emit: Object.hasOwn(proto, "emit"), close: Object.hasOwn(proto, "close") };
  const emit = proto.emit;
  const close = proto.close;
  const emitting = new WeakMap<object, string[]>();
  const inside: string[] = [];
  const closes: number[] = [];
  proto.emit = function (this: object, event: string | symbol, ...args: unknown[]): boolean {
    const stack = emitting.get(this) ?? [];
    emitting.set(this, stack);
    stack.push(String(event));
    try {
      return emit.call(this, event, ...args);
    } finally {
      stack.pop();
    }
  };
  proto.close = function (this: object, code?: number, callback?: () => void): void {
    closes.push(code ?? 0);
    const stack = emitting.get(this);
    if (stack !== undefined && stack.length > 0) inside.push(`close(${code ?? 0}) inside '${stack.join("' > '")}'`);
    close.call(this, code, callback);
  };
  return {
    inside,
    closes,
    restore() {
      if (hadOwn.emit) proto.emit = emit;
      else delete (proto as { emit?: unknown }).emit;
      if (hadOwn.close) proto.close = close;
      else delete (proto as { close?: unknown }).close;
    },
  };
}

/** Requests, the second failing the handler, then more while the server has already answered. */
async function* failingThenMore(gapMs: number): AsyncIterable<Init> {
  yield { text: "a" };
  yield { text: "b", failCode: Code.FailedPrecondition };
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, gapMs));
    yield { text: `late${i}`, payload: new Uint8Array(1024) };
  }
}

describe.each(["grpc", "connect"] as const)("the fast client over %s resets streams from the event loop, not from their event handlers", (protocol) => {
  let server: Server;
  let transport: SluiceTransport;
  let client: Client<typeof EchoService>;
  let watch: ReturnType<typeof watchResetsInsideEvents>;
  let streamPrototype: object;
  beforeAll(async () => {
    server = await startEchoServer({ readMaxBytes: 64 * 1024 });
    streamPrototype = clientStreamPrototype(server.url);
    transport = createSluiceTransport({ baseUrl: server.url, protocol });
    client = createClient(EchoService, transport);
  });
  beforeEach(() => {
    watch = watchResetsInsideEvents(streamPrototype);
  });
  afterEach(() => watch.restore());
  afterAll(async () => {
    transport.connection.abort();
    await server.close();
  });

  const codeOf = (p: Promise<unknown>): Promise<Code | undefined> => p.then(() => undefined, (e: unknown) => ConnectError.from(e).code);

  it("a client stream and a bidi call the handler fails while the client still sends end with its code; every reset comes after the event that caused it", async () => {
    for (let round = 0; round < 5; round++) {
      expect(await codeOf(client.clientStream(failingThenMore(1)))).toBe(Code.FailedPrecondition);
      expect(await codeOf((async () => { for await (const _ of client.bidi(failingThenMore(1))); })())).toBe(Code.FailedPrecondition);
    }
    await new Promise((r) => setImmediate(r));
    // The client was still sending when the status came: it reset each stream (CANCEL after the error).
    expect(watch.closes.length).toBeGreaterThanOrEqual(10);
    expect(watch.inside).toEqual([]);
  });

  it("a server stream aborted from inside the loop that reads it ends CANCELED and is reset from the event loop", async () => {
    const controller = new AbortController();
    let count = 0;
    const code = await codeOf(
      (async () => {
        for await (const _ of client.serverStream({ text: "b", count: 1000, delayMs: 1 }, { signal: controller.signal })) if (++count === 3) controller.abort();
      })(),
    );
    expect(code).toBe(Code.Canceled);
    await eventually(() => watch.closes.length > 0, 2000, "the stream reset");
    expect(watch.closes).toEqual([http2.constants.NGHTTP2_CANCEL]);
    expect(watch.inside).toEqual([]);
    expect((await client.echo({ text: "still" })).text).toBe("still");
  });
});

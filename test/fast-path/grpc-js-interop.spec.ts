// Interop both ways: a grpc-js client against serve() on the fast path, and the Sluice fast client
// against a grpc-js server — four shapes, status codes, error details (grpc-status-details-bin),
// ASCII and binary metadata, deadlines and cancellation.
import * as grpc from "@grpc/grpc-js";
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { Server } from "@sluice/runtime";
import { createSluiceTransport } from "../../packages/runtime/src/transport/sluice-transport.js";
import { EchoRequestSchema, EchoResponseSchema, EchoService, type EchoRequest, type EchoResponse } from "./gen/fastpath/v1/echo_pb.js";
import { startEchoServer } from "./echo-service.js";
import { grpcJsService } from "../support/grpc-js-definition.js";
import { RpcStatusSchema as StatusSchema } from "./gen/fastpath/v1/status_pb.js";

const serviceDefinition = grpcJsService(EchoService);
type AnyClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

describe("grpc-js client → serve() fast path", () => {
  let server: Server;
  let client: AnyClient;
  beforeAll(async () => {
    server = await startEchoServer();
    const Ctor = grpc.makeGenericClientConstructor(serviceDefinition, "EchoService");
    client = new Ctor(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure()) as AnyClient;
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  const unary = (request: MessageInitShape<typeof EchoRequestSchema>, metadata = new grpc.Metadata(), options: grpc.CallOptions = {}) =>
    new Promise<{ error: grpc.ServiceError | null; response?: EchoResponse; header?: grpc.Metadata; trailer?: grpc.Metadata }>((resolve) => {
      let header: grpc.Metadata | undefined;
      let trailer: grpc.Metadata | undefined;
      const call = client.echo(create(EchoRequestSchema, request), metadata, options, (error: grpc.ServiceError | null, response?: EchoResponse) =>
        setImmediate(() => resolve({ error, response, header, trailer })),
      ) as grpc.ClientUnaryCall;
      call.on("metadata", (m: grpc.Metadata) => (header = m));
      call.on("status", (s: grpc.StatusObject) => (trailer = s.metadata));
    });

  it("unary, with ASCII and binary metadata both ways", async () => {
    const metadata = new grpc.Metadata();
    metadata.set("x-test-ascii", "hello");
    metadata.set("x-test-blob-bin", Buffer.from([0, 255, 7]));
    const { error, response, header, trailer } = await unary({ text: "hi" }, metadata);
    expect(error).toBeNull();
    expect(response?.text).toBe("hi");
    expect(header?.get("x-test-ascii-echo")).toEqual(["hello"]);
    expect(header?.get("x-test-blob-echo-bin")).toEqual([Buffer.from([0, 255, 7])]);
    expect(trailer?.get("x-test-ascii-trailer")).toEqual(["hello"]);
  });

  it("unary error: code, message and grpc-status-details-bin", async () => {
    const { error } = await unary({ text: "bad", failCode: Code.FailedPrecondition });
    expect(error?.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error?.details).toBe("failed as asked: bad");
    const bin = error?.metadata.get("grpc-status-details-bin")[0] as Buffer;
    const status = fromBinary(StatusSchema, bin);
    expect(status.code).toBe(Code.FailedPrecondition);
    expect(status.details[0]?.typeUrl).toBe("type.googleapis.com/fastpath.v1.EchoResponse");
  });

  it("deadline: DEADLINE_EXCEEDED", async () => {
    const { error } = await unary({ text: "slow", delayMs: 2000 }, new grpc.Metadata(), { deadline: Date.now() + 100 });
    expect(error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });

  it("cancellation: CANCELLED and the server stays up", async () => {
    const result = new Promise<grpc.ServiceError | null>((resolve) => {
      const call = client.echo(create(EchoRequestSchema, { text: "c", delayMs: 2000 }), (error: grpc.ServiceError | null) => resolve(error)) as grpc.ClientUnaryCall;
      setTimeout(() => call.cancel(), 50);
    });
    expect((await result)?.code).toBe(grpc.status.CANCELLED);
    expect((await unary({ text: "ok" })).response?.text).toBe("ok");
  });

  it("server streaming, client streaming, bidi", async () => {
    const stream = client.serverStream(create(EchoRequestSchema, { text: "s", count: 20 })) as grpc.ClientReadableStream<EchoResponse>;
    const indexes: number[] = [];
    for await (const m of stream) indexes.push((m as EchoResponse).index);
    expect(indexes).toEqual(Array.from({ length: 20 }, (_, i) => i));

    const joined = await new Promise<EchoResponse>((resolve, reject) => {
      const call = client.clientStream((err: grpc.ServiceError | null, res: EchoResponse) => (err ? reject(err) : resolve(res))) as grpc.ClientWritableStream<object>;
      call.write(create(EchoRequestSchema, { text: "a" }));
      call.write(create(EchoRequestSchema, { text: "b" }));
      call.end();
    });
    expect(joined.text).toBe("a,b");

    const bidi = client.bidi() as grpc.ClientDuplexStream<object, EchoResponse>;
    bidi.write(create(EchoRequestSchema, { text: "x" }));
    bidi.write(create(EchoRequestSchema, { text: "y" }));
    bidi.end();
    const texts: string[] = [];
    for await (const m of bidi) texts.push((m as EchoResponse).text);
    expect(texts).toEqual(["x", "y"]);
  });

  it("server streaming error after messages", async () => {
    const stream = client.serverStream(create(EchoRequestSchema, { text: "s", count: 2, failCode: Code.DataLoss })) as grpc.ClientReadableStream<EchoResponse>;
    const seen: number[] = [];
    const error = await (async () => {
      for await (const m of stream) seen.push((m as EchoResponse).index);
    })().catch((e: grpc.ServiceError) => e);
    expect(seen).toEqual([0, 1]);
    expect((error as grpc.ServiceError).code).toBe(grpc.status.DATA_LOSS);
  });
});

describe("Sluice fast client → grpc-js server", () => {
  let server: grpc.Server;
  let port: number;
  beforeAll(async () => {
    server = new grpc.Server();
    const fail = (request: EchoRequest): grpc.ServiceError | null => {
      if (request.failCode === 0) return null;
      const metadata = new grpc.Metadata();
      metadata.set("x-error-meta", "yes");
      const status = create(StatusSchema, {
        code: request.failCode,
        message: `failed as asked: ${request.text}`,
        details: [anyPack(EchoResponseSchema, create(EchoResponseSchema, { text: "detail", index: 7 }))],
      });
      metadata.set("grpc-status-details-bin", Buffer.from(toBinary(StatusSchema, status)));
      return Object.assign(new Error(`failed as asked: ${request.text}`), { code: request.failCode, details: `failed as asked: ${request.text}`, metadata });
    };
    server.addService(serviceDefinition, {
      echo(call: grpc.ServerUnaryCall<EchoRequest, EchoResponse>, callback: grpc.sendUnaryData<EchoResponse>) {
        const request = call.request;
        const header = new grpc.Metadata();
        const value = call.metadata.get("x-test-ascii")[0];
        if (value !== undefined) header.set("x-test-ascii-echo", value);
        const bin = call.metadata.get("x-test-blob-bin")[0];
        if (bin !== undefined) header.set("x-test-blob-echo-bin", bin);
        call.sendMetadata(header);
        const trailer = new grpc.Metadata();
        trailer.set("x-trailer", "t");
        const timer = setTimeout(() => {
          const error = fail(request);
          if (error !== null) callback(error);
          else callback(null, create(EchoResponseSchema, { text: request.text, payload: request.payload }), trailer);
        }, request.delayMs);
        call.on("cancelled", () => clearTimeout(timer));
      },
      serverStream(call: grpc.ServerWritableStream<EchoRequest, EchoResponse>) {
        for (let i = 0; i < call.request.count; i++) call.write(create(EchoResponseSchema, { text: call.request.text, index: i }));
        const error = fail(call.request);
        if (error !== null) call.emit("error", error);
        else call.end();
      },
      clientStream(call: grpc.ServerReadableStream<EchoRequest, EchoResponse>, callback: grpc.sendUnaryData<EchoResponse>) {
        const texts: string[] = [];
        call.on("data", (r: EchoRequest) => texts.push(r.text));
        call.on("end", () => callback(null, create(EchoResponseSchema, { text: texts.join(","), index: texts.length })));
      },
      bidi(call: grpc.ServerDuplexStream<EchoRequest, EchoResponse>) {
        let i = 0;
        call.on("data", (r: EchoRequest) => call.write(create(EchoResponseSchema, { text: r.text, index: i++ })));
        call.on("end", () => call.end());
      },
    });
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
  });
  afterAll(() => {
    server.forceShutdown();
  });

  it("all four shapes, metadata, errors with details, deadlines, cancellation", async () => {
    const transport = createSluiceTransport({ baseUrl: `http://127.0.0.1:${port}` });
    const client = createClient(EchoService, transport);
    try {
      let header: Headers | undefined;
      let trailer: Headers | undefined;
      const r = await client.echo(
        { text: "hi", payload: new Uint8Array([1, 2, 3]) },
        { headers: { "x-test-ascii": "v", "x-test-blob-bin": "AP8H" }, onHeader: (h) => (header = h), onTrailer: (t) => (trailer = t) },
      );
      expect(r.text).toBe("hi");
      expect(r.payload).toEqual(new Uint8Array([1, 2, 3]));
      expect(header?.get("x-test-ascii-echo")).toBe("v");
      expect(Buffer.from(header?.get("x-test-blob-echo-bin") ?? "", "base64")).toEqual(Buffer.from([0, 255, 7]));
      expect(trailer?.get("x-trailer")).toBe("t");

      const error = ConnectError.from(await client.echo({ text: "no", failCode: Code.NotFound }).catch((e: unknown) => e));
      expect(error.code).toBe(Code.NotFound);
      expect(error.rawMessage).toBe("failed as asked: no");
      expect(error.metadata.get("x-error-meta")).toBe("yes");
      expect(error.findDetails(EchoResponseSchema)[0]?.index).toBe(7);

      const late = ConnectError.from(await client.echo({ text: "slow", delayMs: 2000 }, { timeoutMs: 100 }).catch((e: unknown) => e));
      expect(late.code).toBe(Code.DeadlineExceeded);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);
      const cancelled = ConnectError.from(await client.echo({ text: "c", delayMs: 2000 }, { signal: controller.signal }).catch((e: unknown) => e));
      expect(cancelled.code).toBe(Code.Canceled);

      const indexes: number[] = [];
      for await (const m of client.serverStream({ text: "s", count: 30 })) indexes.push(m.index);
      expect(indexes).toHaveLength(30);
      const seen: number[] = [];
      const streamError = await (async () => {
        for await (const m of client.serverStream({ text: "s", count: 2, failCode: Code.Internal })) seen.push(m.index);
      })().catch((e: unknown) => ConnectError.from(e));
      expect(seen).toEqual([0, 1]);
      expect(streamError?.code).toBe(Code.Internal);

      async function* input(): AsyncIterable<{ text: string }> {
        yield { text: "a" };
        yield { text: "b" };
      }
      expect((await client.clientStream(input())).text).toBe("a,b");
      const texts: string[] = [];
      for await (const m of client.bidi(input())) texts.push(m.text);
      expect(texts).toEqual(["a", "b"]);
    } finally {
      transport.connection.abort();
    }
  });
});

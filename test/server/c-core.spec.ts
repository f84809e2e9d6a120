// Answers a gRPC C-core client (python3-grpcio) must read as the status they carry, on both server
// transports: UNIMPLEMENTED for unknown methods and services (a Trailers-Only response), and the
// other answers given before or instead of a handler's messages.
// Skipped (with a message) when python3-grpcio is not installed, except under CI where that fails.
import { create, toBinary } from "@bufbuild/protobuf";
import type { Server } from "@sluice/runtime";
import { EchoRequestSchema } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { startEchoServer } from "../fast-path/echo-service.js";
import { callWithCCore, findGrpcioPython, type CCoreCall } from "../support/grpcio.js";

const python = findGrpcioPython();
if (python === undefined && !process.env.CI) {
  // eslint-disable-next-line no-console
  console.warn("test/server/c-core.spec.ts skipped: python3-grpcio is not installed (apt-get install -y python3-grpcio)");
}
const describeCCore = python !== undefined || process.env.CI ? describe : describe.skip;

const echo = (fields: Parameters<typeof create<typeof EchoRequestSchema>>[1]): Uint8Array => toBinary(EchoRequestSchema, create(EchoRequestSchema, fields));

const calls: ReadonlyArray<[string, CCoreCall, string]> = [
  ["a successful call", { path: "/fastpath.v1.EchoService/Echo", request: echo({ text: "hi" }) }, "OK"],
  ["an unknown method", { path: "/fastpath.v1.EchoService/Nope", request: echo({}) }, "UNIMPLEMENTED"],
  ["an unknown service", { path: "/nope.v1.Nope/Call", request: echo({}) }, "UNIMPLEMENTED"],
  ["a unary request over readMaxBytes", { path: "/fastpath.v1.EchoService/Echo", request: echo({ payload: new Uint8Array(5000) }) }, "RESOURCE_EXHAUSTED"],
  [
    "a server-streaming request over readMaxBytes",
    { path: "/fastpath.v1.EchoService/ServerStream", request: echo({ payload: new Uint8Array(5000) }), streaming: true },
    "RESOURCE_EXHAUSTED",
  ],
  ["a handler error before any message", { path: "/fastpath.v1.EchoService/Echo", request: echo({ failCode: 5 }) }, "NOT_FOUND"],
  [
    "a streaming handler error before any message",
    { path: "/fastpath.v1.EchoService/ServerStream", request: echo({ failCode: 9, count: 0 }), streaming: true },
    "FAILED_PRECONDITION",
  ],
  ["a deadline that passes", { path: "/fastpath.v1.EchoService/Echo", request: echo({ delayMs: 3000 }), timeout: 0.2 }, "DEADLINE_EXCEEDED"],
  // node resets it with ENHANCE_YOUR_CALM, which gRPC clients read as RESOURCE_EXHAUSTED.
  [
    "a header list over maxHeaderListBytes",
    { path: "/fastpath.v1.EchoService/Echo", request: echo({}), metadata: [["x-big", "a".repeat(3000)]] },
    "RESOURCE_EXHAUSTED",
  ],
];

describeCCore.each(["sluice", "connect-node"] as const)("a gRPC C-core client against serve() with transport %s", (transport) => {
  let server: Server;
  beforeAll(async () => {
    if (python === undefined) throw new Error("python3-grpcio is not installed but CI is set: install it with apt-get install -y python3-grpcio");
    server = await startEchoServer({ transport, readMaxBytes: 4096, hardening: { maxHeaderListBytes: 2048 } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("reads every answer as the status it carries", async () => {
    const outcomes = await callWithCCore(python as string, `127.0.0.1:${server.port}`, calls.map(([, call]) => call));
    const got = outcomes.map((o, i) => [calls[i]?.[0], o.code, o.details]);
    expect(got.map(([name, code]) => [name, code])).toEqual(calls.map(([name, , code]) => [name, code]));
    // The statuses came from the server, not from C-core giving up on a malformed response.
    for (const [, code, details] of got) if (code !== "OK" && code !== "DEADLINE_EXCEEDED") expect(details).not.toBe("Stream removed");
  });
});

// HTTP/1.1 beside HTTP/2 on one port, driven by curl: a Connect unary call (JSON) and a gRPC-Web
// call over TLS (ALPN http/1.1) and over h2c with allowHttp1; gRPC over HTTP/1.1 gets 505.
import { execFile } from "node:child_process";
import * as https from "node:https";
import * as http from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createChannel, serve, type Server, type ServeOptions } from "@sluice/runtime";
import { EchoRequestSchema, EchoResponseSchema, EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { registerEcho } from "../fast-path/echo-service.js";
import { testPki } from "../support/certificates.js";

const run = promisify(execFile);
const pki = testPki();
const dir = mkdtempSync(join(tmpdir(), "sluice-http1-"));
const caFile = join(dir, "ca.pem");
writeFileSync(caFile, pki.ca);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs curl over HTTP/1.1; returns the status line's version and code, the headers and the body file's bytes. */
async function curl(url: string, contentType: string, body: Buffer): Promise<{ version: string; status: number; headers: string; body: Buffer }> {
  const bodyFile = join(dir, "request.bin");
  const outFile = join(dir, "response.bin");
  const headerFile = join(dir, "headers.txt");
  writeFileSync(bodyFile, body);
  await run("curl", [
    "--silent", "--show-error", "--http1.1", "--max-time", "10", "--cacert", caFile,
    "-X", "POST", "-H", `content-type: ${contentType}`, "--data-binary", `@${bodyFile}`,
    "-D", headerFile, "-o", outFile, url,
  ]);
  const headers = readFileSync(headerFile, "latin1");
  const [version = "", status = "0"] = headers.split("\r\n")[0]?.split(" ") ?? [];
  return { version, status: Number(status), headers, body: readFileSync(outFile) };
}

/** A gRPC-Web request body: one message frame. */
function grpcWebRequest(text: string): Buffer {
  const message = toBinary(EchoRequestSchema, create(EchoRequestSchema, { text }));
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  Buffer.from(message).copy(frame, 5);
  return frame;
}

/** Splits a gRPC-Web response body into its message and its trailer block. */
function parseGrpcWeb(body: Buffer): { text: string | undefined; trailers: string } {
  let text: string | undefined;
  let trailers = "";
  for (let at = 0; at + 5 <= body.length; ) {
    const flags = body[at] ?? 0;
    const length = body.readUInt32BE(at + 1);
    const payload = body.subarray(at + 5, at + 5 + length);
    if ((flags & 0x80) !== 0) trailers = payload.toString("latin1");
    else text = fromBinary(EchoResponseSchema, payload).text;
    at += 5 + length;
  }
  return { text, trailers };
}

describe.each<[string, Partial<ServeOptions>]>([
  ["TLS (ALPN http/1.1)", { tls: { key: pki.server.key, cert: pki.server.cert } }],
  ["h2c with allowHttp1", { allowHttp1: true }],
])("HTTP/1.1 over %s", (_name, serverOptions) => {
  let server: Server;
  beforeAll(async () => {
    server = await serve({ host: "127.0.0.1", shutdownGraceMs: 200, routes: (r) => registerEcho(r), ...serverOptions });
  });
  afterAll(() => server.close());

  it("curl makes a Connect unary call with JSON", async () => {
    const response = await curl(`${server.url}/fastpath.v1.EchoService/Echo`, "application/json", Buffer.from(JSON.stringify({ text: "over h1" })));
    expect(response.version).toBe("HTTP/1.1");
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString("utf8"))).toEqual({ text: "over h1" });
  });

  it("curl makes a gRPC-Web call", async () => {
    const response = await curl(`${server.url}/fastpath.v1.EchoService/Echo`, "application/grpc-web+proto", grpcWebRequest("web"));
    expect(response.version).toBe("HTTP/1.1");
    expect(response.status).toBe(200);
    const { text, trailers } = parseGrpcWeb(response.body);
    expect(text).toBe("web");
    expect(trailers).toMatch(/grpc-status: ?0/);
  });

  it("gRPC over HTTP/1.1 gets 505 saying gRPC needs HTTP/2", async () => {
    const response = await curl(`${server.url}/fastpath.v1.EchoService/Echo`, "application/grpc+proto", grpcWebRequest("no"));
    expect(response.status).toBe(505);
    expect(response.body.toString("utf8")).toMatch(/gRPC requires HTTP\/2/);
  });

  it("HTTP/2 clients still get HTTP/2 on the same port", async () => {
    const tls = serverOptions.tls === undefined ? undefined : { ca: pki.ca };
    const channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, tls });
    try {
      expect((await createClient(EchoService, channel).echo({ text: "h2" })).text).toBe("h2");
    } finally {
      await channel.close();
    }
  });
});

describe.each<[string, Partial<ServeOptions>]>([
  ["TLS", { tls: { key: pki.server.key, cert: pki.server.cert } }],
  ["h2c with allowHttp1", { allowHttp1: true }],
])("close() over %s", (_name, serverOptions) => {
  it("does not wait the grace period for an idle HTTP/1.1 keep-alive connection", async () => {
    const server = await serve({ host: "127.0.0.1", shutdownGraceMs: 5_000, routes: (r) => registerEcho(r), ...serverOptions });
    const secure = serverOptions.tls !== undefined;
    const agent = secure ? new https.Agent({ keepAlive: true, ca: pki.ca }) : new http.Agent({ keepAlive: true });
    try {
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const request = (secure ? https : http).request(
          `${server.url}/fastpath.v1.EchoService/Echo`,
          { method: "POST", agent, headers: { "content-type": "application/json" } },
          (response) => {
            response.resume();
            response.on("end", () => resolve(response.statusCode));
          },
        );
        request.on("error", reject);
        request.end(JSON.stringify({ text: "k" }));
      });
      expect(status).toBe(200);
      const started = performance.now();
      await server.close();
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      agent.destroy();
    }
  });
});

import { readFileSync, readdirSync } from "node:fs";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { Http2SessionManager } from "@connectrpc/connect-node";
import {
  connectEndStreamFlag,
  connectEndStreamFromJson,
  connectEndStreamToJson,
  compatRequestResponse,
  connectCodeFromHttpStatus,
  connectCodeToHttpStatus,
  errorFromJsonBytes,
  errorToJsonBytes,
  findTrailerError,
  grpcCodeFromHttpStatus,
  parseConnectTimeout,
  parseGrpcTimeout,
  readySessionOf,
  setTrailerStatus,
} from "./private-apis.js";

const root = join(__dirname, "..", "..", "..", "..");
const src = join(root, "packages", "runtime", "src");
const versionOf = (pkg: string): string =>
  (JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
const connect = `@connectrpc/connect ${versionOf("@connectrpc/connect")}`;
const connectNode = `@connectrpc/connect-node ${versionOf("@connectrpc/connect-node")}`;
const node = `node ${process.version}`;

/** Fails with a message naming the upgraded package, what it changed, and where Sluice reads it. */
function expectUnchanged(dependency: string, what: string, actual: unknown, expected: unknown): void {
  const plain = (value: unknown): unknown =>
    value instanceof ConnectError ? { code: value.code, rawMessage: value.rawMessage } : value;
  const a = Array.isArray(actual) ? actual.map(plain) : plain(actual);
  const e = Array.isArray(expected) ? expected.map(plain) : plain(expected);
  // Compared as JSON (undefined shown as null): values from jest's sandbox and from node differ in realm.
  const show = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x === undefined ? null : x));
  if (show(a) !== show(e)) {
    throw new Error(
      `${dependency} changed ${what}: expected ${show(e)}, got ${show(a)}. Sluice uses it through ` +
        `packages/runtime/src/internals/private-apis.ts; adapt that module to the new behaviour (or keep the ` +
        `previous version) before upgrading.`,
    );
  }
}

describe("private APIs the runtime relies on are unchanged", () => {
  it(`Connect's grpc-timeout and connect-timeout-ms parsers`, () => {
    const max = Number.MAX_SAFE_INTEGER;
    const grpc = (v: string | null, limit = max) => {
      const r = parseGrpcTimeout(v, limit);
      return [r.timeoutMs, r.error?.code];
    };
    expectUnchanged(connect, "protocol-grpc parseTimeout", [grpc(null), grpc("1S"), grpc("250m"), grpc("3H"), grpc("100000000S"), grpc("5x"), grpc("10S", 5000)], [
      [undefined, undefined],
      [1000, undefined],
      [250, undefined],
      [10_800_000, undefined],
      [undefined, Code.InvalidArgument],
      [undefined, Code.InvalidArgument],
      [10_000, Code.InvalidArgument],
    ]);
    const con = (v: string | null, limit = max) => {
      const r = parseConnectTimeout(v, limit);
      return [r.timeoutMs, r.error?.code];
    };
    expectUnchanged(connect, "protocol-connect parseTimeout", [con(null), con("1000"), con("0"), con("abc"), con("10000000000"), con("10000", 5000)], [
      [undefined, undefined],
      [1000, undefined],
      [0, undefined],
      [undefined, Code.InvalidArgument],
      [undefined, Code.InvalidArgument],
      [10_000, Code.InvalidArgument],
    ]);
  });

  it("Connect's HTTP status ↔ Code tables", () => {
    const statuses = [400, 401, 403, 404, 429, 500, 502, 503, 504, 418];
    const expected = [Code.Internal, Code.Unauthenticated, Code.PermissionDenied, Code.Unimplemented, Code.Unavailable, Code.Unknown, Code.Unavailable, Code.Unavailable, Code.Unavailable, Code.Unknown];
    expectUnchanged(connect, "protocol-grpc codeFromHttpStatus", statuses.map(grpcCodeFromHttpStatus), expected);
    expectUnchanged(connect, "protocol-connect codeFromHttpStatus", statuses.map(connectCodeFromHttpStatus), expected);
    const codes = Array.from({ length: 16 }, (_, i) => (i + 1) as Code);
    expectUnchanged(connect, "protocol-connect codeToHttpStatus", codes.map(connectCodeToHttpStatus), [499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401]);
  });

  it("Connect's gRPC status trailers, both ways, with details", () => {
    const error = new ConnectError("not found: a/b", Code.NotFound, undefined, [{ desc: DurationSchema, value: { seconds: 3n } }]);
    const trailer = setTrailerStatus(new Headers(), error);
    expectUnchanged(connect, "protocol-grpc setTrailerStatus", [trailer.get("grpc-status"), trailer.get("grpc-message"), trailer.has("grpc-status-details-bin")], ["5", "not%20found%3A%20a%2Fb", true]);
    expectUnchanged(connect, "protocol-grpc setTrailerStatus for OK", [...setTrailerStatus(new Headers(), undefined)], [["grpc-status", "0"]]);
    const back = findTrailerError(trailer);
    expectUnchanged(connect, "protocol-grpc findTrailerError", [back?.code, back?.rawMessage, back?.findDetails(DurationSchema)[0]?.seconds], [Code.NotFound, "not found: a/b", 3n]);
    expectUnchanged(connect, "protocol-grpc findTrailerError for grpc-status 0", findTrailerError(new Headers({ "grpc-status": "0" })), undefined);
  });

  it("Connect's end-of-stream message: its flag and JSON form", () => {
    expectUnchanged(connect, "protocol-connect endStreamFlag", connectEndStreamFlag, 0b10);
    const json = connectEndStreamToJson(new Headers({ "x-a": "b" }), new ConnectError("no", Code.ResourceExhausted), undefined);
    expectUnchanged(connect, "protocol-connect endStreamToJson", JSON.parse(JSON.stringify(json)), {
      error: { code: "resource_exhausted", message: "no" },
      metadata: { "x-a": ["b"] },
    });
    const back = connectEndStreamFromJson(JSON.stringify(json));
    expectUnchanged(connect, "protocol-connect endStreamFromJson", [back.error?.code, back.error?.rawMessage, back.metadata.get("x-a")], [Code.ResourceExhausted, "no", "b"]);
    let thrown: unknown;
    try {
      connectEndStreamFromJson("[]");
    } catch (e) {
      thrown = e;
    }
    expectUnchanged(connect, "protocol-connect endStreamFromJson on a malformed message (throws)", thrown instanceof ConnectError, true);
  });

  it("Connect's JSON error bodies, both ways, with details and metadata", () => {
    const error = new ConnectError("not found: a/b", Code.NotFound, undefined, [{ desc: DurationSchema, value: { seconds: 3n } }]);
    const json = JSON.parse(new TextDecoder().decode(errorToJsonBytes(error, {}))) as Record<string, unknown>;
    expectUnchanged(connect, "protocol-connect errorToJsonBytes", [json.code, json.message, (json.details as { type: string }[])[0]?.type], ["not_found", "not found: a/b", "google.protobuf.Duration"]);
    const fallback = new ConnectError("HTTP 503", Code.Unavailable);
    const back = errorFromJsonBytes(errorToJsonBytes(error, {}), { "x-m": "1" }, fallback);
    expectUnchanged(connect, "protocol-connect errorFromJsonBytes", [back.code, back.rawMessage, back.metadata.get("x-m"), back.findDetails(DurationSchema)[0]?.seconds], [Code.NotFound, "not found: a/b", "1", 3n]);
    let thrown: unknown;
    try {
      errorFromJsonBytes(new TextEncoder().encode("not json"), undefined, fallback);
    } catch (e) {
      thrown = e;
    }
    expectUnchanged(connect, "protocol-connect errorFromJsonBytes on a body that is not JSON (throws the fallback)", thrown === fallback, true);
  });

  it("connect-node's Http2SessionManager keeps its ready session where readySessionOf reads it", async () => {
    const server = http2.createServer();
    server.on("stream", (stream) => stream.respond({ ":status": 200 }, { endStream: true }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const manager = new Http2SessionManager(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      expectUnchanged(connectNode, "Http2SessionManager's private state before connect (readySessionOf)", readySessionOf(manager), undefined);
      expectUnchanged(connectNode, "Http2SessionManager.connect()", await manager.connect(), "idle");
      const stream = await manager.request("POST", "/x", {}, {});
      const held = readySessionOf(manager);
      expectUnchanged(connectNode, "Http2SessionManager's private state `s: { t: \"ready\", conn }` (readySessionOf)", [held !== undefined, held === stream.session], [true, true]);
      held?.on("error", () => {});
      await new Promise<void>((resolve) => {
        stream.on("close", resolve);
        stream.resume();
        stream.end();
      });
      manager.abort();
      expectUnchanged(connectNode, "Http2SessionManager's private state after abort (readySessionOf)", readySessionOf(manager), undefined);
    } finally {
      manager.abort();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("node's Http2ServerRequest / Http2ServerResponse constructors take (stream, headers, options, rawHeaders) / (stream)", async () => {
    const seen: unknown[] = [];
    const server = http2.createServer();
    server.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
      const { request, response } = compatRequestResponse(stream, headers, rawHeaders);
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => (body += chunk));
      request.on("end", () => {
        seen.push(request.method, request.url, request.headers["x-a"], request.rawHeaders.includes("x-a"), body);
        response.writeHead(201, { "x-b": "2" });
        response.end("pong");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const answer = await new Promise<unknown[]>((resolve, reject) => {
        const req = session.request({ ":method": "POST", ":path": "/p?q=1", "x-a": "1" });
        let status: unknown;
        let xb: unknown;
        let text = "";
        req.setEncoding("utf8");
        req.on("response", (h) => ((status = h[":status"]), (xb = h["x-b"])));
        req.on("data", (chunk: string) => (text += chunk));
        req.on("end", () => resolve([status, xb, text]));
        req.on("error", reject);
        req.end("ping");
      });
      expectUnchanged(node, "the node:http2 compatibility request (Http2ServerRequest constructor)", seen, ["POST", "/p?q=1", "1", true, "ping"]);
      expectUnchanged(node, "the node:http2 compatibility response (Http2ServerResponse constructor)", answer, [201, "2", "pong"]);
    } finally {
      session.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

/** Names a Connect d.ts directory declares with a `@private` doc comment. */
function privateNames(dir: string): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".d.ts"))) {
    const text = readFileSync(join(dir, file), "utf8");
    for (const m of text.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export (?:declare )?(?:function|const|class|interface|type|enum) (\w+)/g)) {
      if ((m[1] as string).includes("@private")) names.add(m[2] as string);
    }
  }
  return names;
}

/** Uses of private Connect exports allowed outside internals/ for now (none). */
const pendingElsewhere: Record<string, string[]> = {};

it("no runtime module but internals/private-apis.ts imports a Connect export marked @private", () => {
  const dirs: Record<string, string> = {
    "@connectrpc/connect": join(root, "node_modules/@connectrpc/connect/dist/esm"),
    "@connectrpc/connect-node": join(root, "node_modules/@connectrpc/connect-node/dist/esm"),
  };
  const violations: string[] = [];
  for (const entry of readdirSync(src, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".spec.ts")) continue;
    const path = join(entry.parentPath, entry.name);
    const relative = path.slice(src.length + 1);
    if (relative === join("internals", "private-apis.ts")) continue;
    const text = readFileSync(path, "utf8");
    for (const m of text.matchAll(/(?:import|export)\s+(?:type\s+)?\{([^}]*)\}\s+from\s+"(@connectrpc\/connect(?:-node)?)(?:\/([\w-]+))?"/g)) {
      const [, list, pkg, subpath] = m as unknown as [string, string, string, string | undefined];
      const privates = privateNames(subpath === undefined ? (dirs[pkg] as string) : join(dirs[pkg] as string, subpath));
      for (const item of list.split(",")) {
        const name = item.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0] as string;
        if (name !== "" && privates.has(name) && !(pendingElsewhere[relative] ?? []).includes(name)) {
          violations.push(`${relative}: ${name} from ${pkg}${subpath === undefined ? "" : `/${subpath}`}`);
        }
      }
    }
  }
  expect(violations).toEqual([]);
});

// serve(): health is served by default, bad configuration throws naming the field, malformed
// requests get the right code and the server stays up, and close() lets calls in flight finish.
import * as http2 from "node:http2";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { serve } from "@sluice/runtime";
import { Health } from "../../packages/runtime/src/gen/grpc/health/v1/health_pb.js";
import { createInventoryServiceClient } from "../../examples/inventory/gen/inventory/v1/inventory_sluice.js";
import { startServers, uncached } from "../support/inventory.js";

/** Sends one raw HTTP/2 request and returns the response headers, trailers and body. */
async function rawRequest(
  url: string,
  headers: http2.OutgoingHttpHeaders,
  body: Uint8Array,
): Promise<{ headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders; body: Buffer }> {
  const session = http2.connect(url);
  try {
    return await new Promise((resolve, reject) => {
      const stream = session.request({ ":method": "POST", ...headers });
      const chunks: Buffer[] = [];
      let responseHeaders: http2.IncomingHttpHeaders = {};
      let trailers: http2.IncomingHttpHeaders = {};
      stream.on("response", (h) => (responseHeaders = h));
      stream.on("trailers", (t) => (trailers = t));
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => resolve({ headers: responseHeaders, trailers, body: Buffer.concat(chunks) }));
      stream.on("error", reject);
      stream.end(body);
    });
  } finally {
    session.close();
  }
}

describe("serve()", () => {
  it("serves grpc.health.v1 with SERVING for the server and each registered service", async () => {
    const [server] = await startServers(1);
    try {
      const health = createClient(Health, createGrpcTransport({ baseUrl: server!.url }));
      expect((await health.check({})).status).toBe(1);
      expect((await health.check({ service: "inventory.v1.InventoryService" })).status).toBe(1);
      const missing = await health.check({ service: "no.such.Service" }).catch((e: unknown) => ConnectError.from(e));
      expect((missing as ConnectError).code).toBe(Code.NotFound);
    } finally {
      await server!.close();
    }
  });

  it("throws at construction on bad configuration, naming the field", async () => {
    await expect(serve({ routes: () => {}, port: 70000 })).rejects.toThrow("port: must be an integer from 0 to 65535, got 70000");
    await expect(serve({ routes: () => {}, shutdownGraceMs: -1 })).rejects.toThrow(/^shutdownGraceMs: /);
    await expect(serve({ routes: undefined as never })).rejects.toThrow(/^routes: /);
  });

  it("answers malformed gRPC requests with the right code and stays up", async () => {
    const [server] = await startServers(1);
    try {
      const path = "/inventory.v1.InventoryService/GetItem";
      // A frame that announces 100 bytes but carries 3: truncated message.
      const truncated = await rawRequest(server!.url, { ":path": path, "content-type": "application/grpc", te: "trailers" }, Uint8Array.from([0, 0, 0, 0, 100, 1, 2, 3]));
      expect(Number(truncated.trailers["grpc-status"] ?? truncated.headers["grpc-status"])).toBe(Code.InvalidArgument);
      // Bytes that are not a valid protobuf message: INTERNAL, as grpc-go and grpc-java answer.
      const garbage = await rawRequest(server!.url, { ":path": path, "content-type": "application/grpc", te: "trailers" }, Uint8Array.from([0, 0, 0, 0, 3, 0xff, 0xff, 0xff]));
      expect(Number(garbage.trailers["grpc-status"] ?? garbage.headers["grpc-status"])).toBe(Code.Internal);
      // An unknown method.
      const unknown = await rawRequest(server!.url, { ":path": "/inventory.v1.InventoryService/Nope", "content-type": "application/grpc", te: "trailers" }, new Uint8Array());
      expect(Number(unknown.trailers["grpc-status"] ?? unknown.headers["grpc-status"])).toBe(Code.Unimplemented);
      // A content type no protocol accepts.
      const wrongType = await rawRequest(server!.url, { ":path": path, "content-type": "text/plain" }, new Uint8Array([1]));
      expect(wrongType.headers[":status"]).toBe(415);
      // Still serving.
      const client = createInventoryServiceClient(createGrpcTransport({ baseUrl: server!.url }), undefined, uncached);
      expect((await client.getItem({ sku: "sku-0001" })).item?.sku).toBe("sku-0001");
    } finally {
      await server!.close();
    }
  });

  it("close() turns health NOT_SERVING and lets a call in flight finish", async () => {
    const [server] = await startServers(1, [300]);
    const transport = createGrpcTransport({ baseUrl: server!.url });
    const client = createInventoryServiceClient(transport, undefined, uncached);
    // Close only once the call has reached the server (a fixed sleep loses that race on a busy machine).
    const arrived = new Promise((r) => server!.http2Server.once("stream", r));
    const inFlight = client.getItem({ sku: "sku-0001" });
    await arrived;
    const closing = server!.close();
    expect(server!.health.getStatus("")).toBe("NOT_SERVING");
    expect((await inFlight).item?.sku).toBe("sku-0001");
    await closing;
    const after = await client.getItem({ sku: "sku-0001" }).catch((e: unknown) => ConnectError.from(e));
    expect((after as ConnectError).code).toBe(Code.Unavailable);
  });
});

// Server of the stream scenario's raw ceiling: node:http2 with serve()'s receive windows, moving the
// bytes of gRPC echo messages in every shape (x-shape header), without parsing frames or protobuf.
import * as http2 from "node:http2";
import { serverFlowControlDefaults } from "@sluice/runtime";
import type { StartServer } from "../harness/contracts.js";
import { hostH2c } from "./h2c-host.js";
import { RAW_HEADERS, framedMessage, writeMessages } from "./raw-stream-wire.js";

function headerInt(headers: http2.IncomingHttpHeaders, name: string): number {
  const value = Number(headers[name]);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`header ${name} must be a non-negative integer, got ${String(headers[name])}`);
  return value;
}

/** Answers one stream: `server` sends x-count messages of x-bytes; `client` reads to the end and answers its byte count; bidi shapes echo each chunk. */
function answer(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  const shape = headers[RAW_HEADERS.shape];
  if (shape === "server") {
    stream.respond({ ":status": 200, "content-type": "application/grpc" });
    void writeMessages(stream, framedMessage(headerInt(headers, RAW_HEADERS.bytes)), headerInt(headers, RAW_HEADERS.count)).catch(() => stream.destroy());
    stream.resume();
  } else if (shape === "client") {
    let bytes = 0;
    stream.on("data", (chunk: Buffer) => (bytes += chunk.length));
    stream.on("end", () => {
      stream.respond({ ":status": 200, "content-type": "application/grpc", "x-received-bytes": String(bytes) });
      stream.end();
    });
  } else {
    stream.respond({ ":status": 200, "content-type": "application/grpc" });
    stream.on("data", (chunk: Buffer) => {
      if (!stream.write(chunk)) {
        stream.pause();
        stream.once("drain", () => stream.resume());
      }
    });
    stream.on("end", () => stream.end());
  }
}

/** Starts an h2c server on 127.0.0.1, port 0, with the stream and connection windows serve() sets. */
export const startServer: StartServer = async () => {
  const flow = serverFlowControlDefaults;
  const server = http2.createServer({ settings: { initialWindowSize: flow.streamWindowBytes } });
  server.on("session", (session) => session.setLocalWindowSize(flow.connectionWindowBytes));
  server.on("stream", (stream, headers) => {
    stream.on("error", () => stream.destroy());
    try {
      answer(stream, headers);
    } catch {
      stream.close(http2.constants.NGHTTP2_PROTOCOL_ERROR);
    }
  });
  return hostH2c(server);
};

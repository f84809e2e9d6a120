// Server of the raw ceiling: node:http2 echoing the request body, no framework, no protobuf.
import * as http2 from "node:http2";
import type { StartServer } from "../harness/contracts.js";
import { hostH2c } from "./h2c-host.js";

/** Starts an h2c server on 127.0.0.1, port 0, answering every stream with its own body. */
export const startServer: StartServer = async () => {
  const server = http2.createServer();
  server.on("stream", (stream) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      stream.respond({ ":status": 200, "content-type": "application/octet-stream" });
      stream.end(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    stream.on("error", () => stream.destroy());
  });
  return hostH2c(server);
};

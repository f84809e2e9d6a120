// Server of the raw ceiling: node:http2 echoing the request body, no framework, no protobuf; h2c,
// or TLS (node's createSecureServer with its defaults) for the TLS ceiling.
import * as http2 from "node:http2";
import { choiceOption, type StartServer } from "../harness/contracts.js";
import { benchPki } from "./bench-tls.js";
import { hostH2c } from "./h2c-host.js";

/**
 * Starts a server on 127.0.0.1, port 0, answering every stream with its own body. Options: `tls`
 * "false" (default: h2c) or "true" (TLS with the bench certificates).
 */
export const startServer: StartServer = async (options) => {
  const tls = choiceOption(options, "tls", ["false", "true"] as const, "false") === "true";
  const pki = tls ? benchPki() : undefined;
  const server = pki === undefined ? http2.createServer() : http2.createSecureServer({ key: pki.key, cert: pki.cert });
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

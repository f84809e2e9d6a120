// The request header list limit: its size as HTTP/2 counts it (RFC 9113 §6.5.2) and the answer to
// a request over it, a Trailers-Only RESOURCE_EXHAUSTED for gRPC and HTTP 431 for everyone else.
import type { ServerHttp2Stream } from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { sendGrpcError } from "../fast/responses.js";

/**
 * Size of a header list given as node's `rawHeaders` (`[name, value, name, value, …]`): the
 * lengths of every name and value plus 32 per field. Node hands header values over as latin1
 * strings, so a string's length is its size in bytes.
 * @private
 */
export function headerListSize(rawHeaders: readonly string[]): number {
  let size = 0;
  for (let i = 0; i < rawHeaders.length; i++) size += (rawHeaders[i] as string).length;
  return size + 16 * rawHeaders.length;
}

/** Answers a request whose header list is over `limit` bytes and stops reading it. @private */
export function rejectLargeHeaders(stream: ServerHttp2Stream, contentType: string | undefined, size: number, limit: number): void {
  stream.on("error", () => {});
  if (contentType?.startsWith("application/grpc") === true) {
    sendGrpcError(stream, new ConnectError(`request header list of ${size} bytes is larger than the limit of ${limit}`, Code.ResourceExhausted));
  } else if (!stream.destroyed && !stream.headersSent) {
    stream.respond({ ":status": 431 }, { endStream: true });
  }
  if (!stream.readableEnded) setImmediate(() => !stream.destroyed && stream.close(0));
}

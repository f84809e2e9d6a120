// What serve() answers for a path no service handles: gRPC and gRPC-Web clients get a
// Trailers-Only UNIMPLEMENTED status, as gRPC servers answer; everyone else gets HTTP 404.
import type { connectNodeAdapter } from "@connectrpc/connect-node";
import { encodeGrpcMessage } from "./fast/responses.js";

type NodeHandlerFn = ReturnType<typeof connectNodeAdapter>;

/**
 * The fallback handler for `connectNodeAdapter`. The gRPC answer is one HEADERS frame with
 * END_STREAM (`stream.respond(…, { endStream: true })`): node's `writeHead` + `end` would send the
 * status without END_STREAM and then an empty DATA frame, which gRPC C-core clients read as
 * UNKNOWN "Stream removed".
 * @private
 */
export const unimplementedFallback: NodeHandlerFn = (request, response) => {
  const contentType = String(request.headers["content-type"] ?? "");
  // serve() runs on HTTP/2 only; the type also admits node's HTTP/1 response.
  const stream = "stream" in response ? response.stream : undefined;
  if (contentType.startsWith("application/grpc") && stream !== undefined && !stream.destroyed && !stream.headersSent) {
    stream.respond(
      {
        ":status": 200,
        "content-type": contentType,
        "grpc-status": "12",
        "grpc-message": encodeGrpcMessage(`method not implemented: ${request.url ?? ""}`),
      },
      { endStream: true },
    );
    // The client may still be sending its request: stop reading it once the answer is out.
    if (!stream.readableEnded) setImmediate(() => !stream.destroyed && stream.close(0));
    return;
  }
  response.writeHead(404);
  response.end();
};

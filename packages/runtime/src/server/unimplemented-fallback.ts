// What serve() answers for a path no service handles: gRPC and gRPC-Web clients get a
// trailers-only UNIMPLEMENTED status, as gRPC servers answer; everyone else gets HTTP 404.
import type { connectNodeAdapter } from "@connectrpc/connect-node";

type NodeHandlerFn = ReturnType<typeof connectNodeAdapter>;

/** The fallback handler for `connectNodeAdapter`. @private */
export const unimplementedFallback: NodeHandlerFn = (request, response) => {
  const contentType = String(request.headers["content-type"] ?? "");
  if (contentType.startsWith("application/grpc")) {
    const path = request.url ?? "";
    response.writeHead(200, {
      "content-type": contentType,
      "grpc-status": "12",
      "grpc-message": encodeURIComponent(`method not implemented: ${path}`),
    });
    response.end();
    return;
  }
  response.writeHead(404);
  response.end();
};

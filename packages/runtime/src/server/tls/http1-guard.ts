// HTTP/1.1 requests of serve(): Connect and gRPC-Web go to the handler; gRPC, which needs HTTP/2,
// gets 505 HTTP Version Not Supported saying so.
import type * as http from "node:http";

/** A request handler for HTTP/1.1 requests. @private */
export type Http1Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Whether a content type is gRPC proper (not gRPC-Web). @private */
export function isGrpcContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.toLowerCase();
  return (type === "application/grpc" || type.startsWith("application/grpc+") || type.startsWith("application/grpc;"));
}

/** Wraps `handler` so that gRPC requests over HTTP/1.x are answered with 505 naming the fix. @private */
export function guardHttp1(handler: Http1Handler): Http1Handler {
  return (req, res) => {
    if (!isGrpcContentType(req.headers["content-type"])) {
      handler(req, res);
      return;
    }
    const body = `gRPC requires HTTP/2; this request came over HTTP/${req.httpVersion}. Use HTTP/2, or the Connect or gRPC-Web protocol over HTTP/1.1.\n`;
    // The request body is not read: close the connection after the answer.
    res.writeHead(505, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), connection: "close" });
    res.end(body);
  };
}

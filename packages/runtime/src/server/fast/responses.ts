// Writing fast-path responses on a ServerHttp2Stream: gRPC (headers, one or more framed messages,
// status trailers; trailers-only for errors) and Connect unary (bare body, `trailer-` headers,
// JSON errors with the HTTP status of the code).
import { constants, type OutgoingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectCodeToHttpStatus, errorToJsonBytes, setTrailerStatus } from "../../internals/private-apis.js";
import { resetStream } from "../../transport/reset-stream.js";

/** Content type of gRPC responses. @private */
export const grpcProtoContentType = "application/grpc+proto";

/** Copies `headers` into a node header object, optionally prefixing each name. @private */
export function addHeaders(target: OutgoingHttpHeaders, headers: Headers | undefined, prefix = ""): void {
  headers?.forEach((value, key) => {
    target[prefix + key] = value;
  });
}

/** Whether the response can still be written. @private */
export function writable(stream: ServerHttp2Stream): boolean {
  return !stream.destroyed && !stream.closed && !stream.headersSent;
}

/** Turns what a handler threw into the ConnectError sent to the client. @private */
export function toConnectError(reason: unknown): ConnectError {
  return reason instanceof ConnectError ? reason : new ConnectError("internal error", Code.Internal, undefined, undefined, reason);
}

/** The gRPC status fields of an error (or OK), as node header entries. @private */
export function grpcStatusFields(error: ConnectError | undefined, trailer: Headers | undefined): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  addHeaders(out, trailer);
  if (error === undefined) {
    out["grpc-status"] = "0";
    return out;
  }
  addHeaders(out, setTrailerStatus(new Headers(), error));
  out["grpc-message"] = encodeGrpcMessage(error.rawMessage);
  return out;
}

/**
 * Percent-encodes a grpc-message as the gRPC spec asks: only bytes outside printable ASCII and
 * "%" itself (encodeURIComponent would also encode ":" and friends, which grpc-js never decodes).
 * @private
 */
export function encodeGrpcMessage(message: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(message)) return message;
  let out = "";
  for (const byte of Buffer.from(message, "utf8")) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** A trailers-only gRPC error response. @private */
export function sendGrpcError(stream: ServerHttp2Stream, error: ConnectError, header?: Headers, trailer?: Headers): void {
  if (!writable(stream)) return;
  const h: OutgoingHttpHeaders = { ":status": 200 };
  addHeaders(h, header);
  Object.assign(h, grpcStatusFields(error, trailer));
  h["content-type"] = grpcProtoContentType;
  respondSafely(stream, h, true);
}

/** A successful gRPC unary response: headers, one framed message, OK trailers. @private */
export function sendGrpcUnary(stream: ServerHttp2Stream, frame: Buffer, header: Headers | undefined, trailer: Headers | undefined): void {
  if (!writable(stream)) return;
  const h: OutgoingHttpHeaders = { ":status": 200 };
  addHeaders(h, header);
  h["content-type"] = grpcProtoContentType;
  if (!respondSafely(stream, h, false)) return;
  stream.once("wantTrailers", () => stream.sendTrailers(grpcStatusFields(undefined, trailer)));
  stream.end(frame);
}

/** A Connect unary error: HTTP status of the code, JSON body, metadata as headers. @private */
export function sendConnectError(stream: ServerHttp2Stream, error: ConnectError, header?: Headers, trailer?: Headers): void {
  if (!writable(stream)) return;
  const h: OutgoingHttpHeaders = { ":status": connectCodeToHttpStatus(error.code) };
  addHeaders(h, header);
  addHeaders(h, error.metadata);
  addHeaders(h, trailer, "trailer-");
  h["content-type"] = "application/json";
  const body = Buffer.from(errorToJsonBytes(error, {}));
  if (!respondSafely(stream, h, false, false)) return;
  stream.end(body);
}

/** A successful Connect unary response. @private */
export function sendConnectUnary(stream: ServerHttp2Stream, body: Uint8Array, header: Headers | undefined, trailer: Headers | undefined): void {
  if (!writable(stream)) return;
  const h: OutgoingHttpHeaders = { ":status": 200 };
  addHeaders(h, header);
  addHeaders(h, trailer, "trailer-");
  h["content-type"] = "application/proto";
  if (!respondSafely(stream, h, false, false)) return;
  stream.end(body);
}

/**
 * `stream.respond` that never throws (a handler may have set a header HTTP/2 forbids): on failure
 * the stream is reset with INTERNAL_ERROR from the next turn of the event loop (this may run inside
 * node's handling of the request's frames; see reset-stream.ts). Returns whether the headers went out.
 * @private
 */
export function respondSafely(stream: ServerHttp2Stream, headers: OutgoingHttpHeaders, endStream: boolean, waitForTrailers = !endStream): boolean {
  try {
    stream.respond(headers, { endStream, waitForTrailers });
    return true;
  } catch {
    resetStream(stream, constants.NGHTTP2_INTERNAL_ERROR);
    return false;
  }
}

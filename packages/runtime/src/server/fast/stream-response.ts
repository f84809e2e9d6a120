// The response side of a fast-path streaming call in its wire protocol: gRPC (headers with the first
// message, status in trailers, trailers-only when nothing was sent) and Connect (headers with the
// first envelope, status and trailers in a JSON end-of-stream envelope).
import type { OutgoingHttpHeaders, ServerHttp2Stream } from "node:http2";
import type { ConnectError } from "@connectrpc/connect";
import { connectEndStreamToJson } from "../../internals/private-apis.js";
import { encodeEnvelope, flagEndStream } from "../../transport/envelope.js";
import type { EncodedChunks } from "./large-bytes.js";
import { writeLargeMessage } from "./response-encoding.js";
import { addHeaders, grpcProtoContentType, grpcStatusFields, respondSafely, sendGrpcError } from "./responses.js";

/** Content type of Connect streaming responses with binary protobuf. @private */
export const connectStreamProtoContentType = "application/connect+proto";

/** Writes one streaming response. @private */
export interface StreamResponseWriter {
  /**
   * Writes one framed message, sending the response headers first if they are not out yet. Returns
   * false when the stream's buffer is full (wait for 'drain') or the headers could not be sent (the
   * stream is then reset).
   */
  write(frame: Buffer, header: Headers | undefined): boolean;
  /**
   * Writes one large message behind its prefix without copying it (see response-encoding.ts),
   * sending the response headers first if they are not out yet: as {@link write}, or a promise
   * settled once the handler's own bytes it holds are on the socket.
   */
  writeLarge(message: Uint8Array | EncodedChunks, header: Headers | undefined): boolean | Promise<void>;
  /**
   * Completes the response with `error`, or OK when undefined; `sent` runs once its last frame has
   * been handed to HTTP/2 (gRPC trailers wait for node's 'wantTrailers').
   */
  end(error: ConnectError | undefined, header: Headers | undefined, trailer: Headers | undefined, sent?: () => void): void;
}

/** A 200 response's headers: the handler's, then the content type. */
function okHeaders(header: Headers | undefined, contentType: string): OutgoingHttpHeaders {
  const h: OutgoingHttpHeaders = { ":status": 200 };
  addHeaders(h, header);
  h["content-type"] = contentType;
  return h;
}

/** Sends the response headers unless they are out; false when they could not be sent (the stream is then reset). */
function headersOut(stream: ServerHttp2Stream, headers: () => OutgoingHttpHeaders, waitForTrailers: boolean): boolean {
  return stream.headersSent || respondSafely(stream, headers(), false, waitForTrailers);
}

function writeMessage(stream: ServerHttp2Stream, headers: () => OutgoingHttpHeaders, waitForTrailers: boolean, frame: Buffer): boolean {
  return headersOut(stream, headers, waitForTrailers) && stream.write(frame);
}

function writeLarge(
  stream: ServerHttp2Stream,
  headers: () => OutgoingHttpHeaders,
  waitForTrailers: boolean,
  message: Uint8Array | EncodedChunks,
): boolean | Promise<void> {
  return headersOut(stream, headers, waitForTrailers) && writeLargeMessage(stream, message);
}

/** The gRPC writer. @private */
export function grpcStreamWriter(stream: ServerHttp2Stream): StreamResponseWriter {
  const headersOf = (header: Headers | undefined): OutgoingHttpHeaders => okHeaders(header, grpcProtoContentType);
  return {
    write: (frame, header) => writeMessage(stream, () => headersOf(header), true, frame),
    writeLarge: (message, header) => writeLarge(stream, () => headersOf(header), true, message),
    end(error, header, trailer, sent) {
      if (stream.destroyed || stream.closed) return;
      if (!stream.headersSent) {
        if (error !== undefined) {
          sendGrpcError(stream, error, header, trailer);
        } else {
          respondSafely(stream, Object.assign(headersOf(header), grpcStatusFields(undefined, trailer)), true);
        }
        sent?.();
        return;
      }
      const trailers = grpcStatusFields(error, trailer);
      stream.once("wantTrailers", () => {
        stream.sendTrailers(trailers);
        sent?.();
      });
      stream.end();
    },
  };
}

/** The Connect writer. @private */
export function connectStreamWriter(stream: ServerHttp2Stream): StreamResponseWriter {
  const headersOf = (header: Headers | undefined): OutgoingHttpHeaders => okHeaders(header, connectStreamProtoContentType);
  return {
    write: (frame, header) => writeMessage(stream, () => headersOf(header), false, frame),
    writeLarge: (message, header) => writeLarge(stream, () => headersOf(header), false, message),
    end(error, header, trailer, sent) {
      if (stream.destroyed || stream.closed) return;
      const json = JSON.stringify(connectEndStreamToJson(trailer ?? new Headers(), error, undefined));
      const frame = encodeEnvelope(Buffer.from(json), flagEndStream);
      if (!headersOut(stream, () => headersOf(header), false)) return;
      stream.end(frame);
      sent?.();
    },
  };
}

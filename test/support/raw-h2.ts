// Test helper: one raw HTTP/2 request with exact headers and body chunks (each written as its own
// DATA frame), optionally left open, and what came back — or that nothing came back in time.
import * as http2 from "node:http2";

/** What a raw request got. */
export interface RawOutcome {
  status?: number;
  headers?: http2.IncomingHttpHeaders;
  trailers?: http2.IncomingHttpHeaders;
  body: Buffer;
  /** RST_STREAM code, when the stream was reset. */
  reset?: number;
  /** No end of the response within the wait. */
  timedOut?: boolean;
}

/** How {@link rawRequest} sends. */
export interface RawRequestOptions {
  /** Half-close after the chunks (default true); false leaves the request open. */
  readonly end?: boolean;
  /** Cancel the stream after writing half the chunks' bytes. */
  readonly resetEarly?: boolean;
  /** Give up after this long (default 3000 ms). */
  readonly waitMs?: number;
}

/** The gRPC status of an outcome (trailers, or headers of a Trailers-Only response). */
export function grpcStatusOf(out: RawOutcome): number | undefined {
  const status = out.trailers?.["grpc-status"] ?? out.headers?.["grpc-status"];
  return status === undefined ? undefined : Number(status);
}

/** Writes `chunk` as one DATA frame: resolves once node has flushed it to the socket. */
const writeFrame = (stream: http2.ClientHttp2Stream, chunk: Buffer): Promise<void> =>
  new Promise((resolve) => stream.write(chunk, () => resolve()));

/** Sends one request on `session` and collects the response. */
export function rawRequest(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  chunks: readonly Buffer[],
  options: RawRequestOptions = {},
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const stream = session.request(headers, { endStream: false });
    const received: Buffer[] = [];
    const out: RawOutcome = { body: Buffer.alloc(0) };
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      out.body = Buffer.concat(received);
      out.reset = stream.rstCode;
      resolve(out);
    };
    const timer = setTimeout(() => {
      out.timedOut = true;
      stream.close(http2.constants.NGHTTP2_CANCEL);
    }, options.waitMs ?? 3000);
    stream.on("response", (h) => {
      out.headers = h;
      out.status = Number(h[":status"]);
    });
    stream.on("trailers", (t) => (out.trailers = t));
    stream.on("data", (c: Buffer) => received.push(c));
    stream.on("error", () => {});
    // The response is complete at END_STREAM even when the server leaves our half of the stream
    // open (Connect's adapter does, for a request it rejected before reading it to the end).
    stream.on("end", () => {
      finish();
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_NO_ERROR);
    });
    stream.on("close", finish);
    void (async () => {
      if (options.resetEarly === true) {
        const all = Buffer.concat(chunks as Buffer[]);
        await writeFrame(stream, all.subarray(0, Math.floor(all.length / 2)));
        stream.close(http2.constants.NGHTTP2_CANCEL);
        return;
      }
      for (const chunk of chunks) {
        if (stream.closed) return;
        await writeFrame(stream, chunk);
      }
      if (options.end !== false && !stream.closed) stream.end();
    })();
  });
}

/** A gRPC envelope around `bytes`, with a chosen flag byte and declared length. */
export function envelope(bytes: Uint8Array, flags = 0, length = bytes.length): Buffer {
  const frame = Buffer.alloc(5 + bytes.length);
  frame[0] = flags;
  frame.writeUInt32BE(length >>> 0, 1);
  frame.set(bytes, 5);
  return frame;
}

// One unary HTTP/2 exchange without async iterables: send headers and a complete body, collect the
// response headers, body and trailers; deadline and cancellation only when the caller asked; a
// stream the server refused (REFUSED_STREAM, above a GOAWAY's last stream id) is sent once more on
// a fresh session; if that too never reaches a server (refused again, connection refused) the call
// fails marked unprocessed, so the channel sends it again to another endpoint.
import type { ClientHttp2Stream, IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import type { SluiceConnection } from "./endpoint-connection.js";
import { connectionError, errorFromNodeReason, errorFromRstCode, h2 } from "./node-errors.js";
import { tooLargeError } from "./envelope.js";
import { armDeadline } from "./deadline-timer.js";
import { resetStream } from "./reset-stream.js";
import { markUnprocessed, nodeSaysUnsent } from "./unprocessed.js";

/** A complete response. @private */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly trailers: IncomingHttpHeaders | undefined;
  readonly body: Buffer;
}

/** Limits of one exchange. @private */
export interface ExchangeLimits {
  /** Largest body accepted (framing included); a larger one fails with RESOURCE_EXHAUSTED. */
  readonly maxBodyBytes: number;
  /** readMaxBytes as configured, for the error message. */
  readonly readMaxBytes: number;
}

const empty = Buffer.alloc(0);

/** The error a deadline produces, as Connect's transports word it. @private */
export function deadlineError(): ConnectError {
  return new ConnectError("the operation timed out", Code.DeadlineExceeded);
}

/** The error a caller's abort produces. @private */
export function abortError(signal: AbortSignal): ConnectError {
  // Node >= 17.2 always sets the reason (an AbortError DOMException when abort() had none).
  return ConnectError.from(signal.reason, Code.Canceled);
}

/** Sends `body` and resolves with the whole response, or rejects with a ConnectError. @private */
export function exchange(
  connection: SluiceConnection,
  headers: OutgoingHttpHeaders,
  body: Buffer,
  limits: ExchangeLimits,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
): Promise<RawResponse> {
  if (signal?.aborted === true) return Promise.reject(abortError(signal));
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    let stream: ClientHttp2Stream | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;

    const fail = (error: ConnectError): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
      if (stream !== undefined) resetStream(stream, h2.CANCEL);
      reject(error);
    };
    const succeed = (response: RawResponse): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
      resolve(response);
    };

    const attempt = (retried: boolean): void => {
      let s: ClientHttp2Stream;
      try {
        s = connection.request(headers);
      } catch (error) {
        const reason = errorFromNodeReason(error);
        fail(reason.code === Code.Unavailable ? markUnprocessed(reason) : reason);
        return;
      }
      stream = s;
      let status = 0;
      let responseHeaders: IncomingHttpHeaders | undefined;
      let trailers: IncomingHttpHeaders | undefined;
      let first: Buffer | undefined;
      let chunks: Buffer[] | undefined;
      let size = 0;
      let ended = false;
      let streamError: unknown;
      s.on("response", (h) => {
        responseHeaders = h;
        status = Number(h[":status"]);
      });
      s.on("data", (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > limits.maxBodyBytes) {
          fail(tooLargeError(size - (limits.maxBodyBytes - limits.readMaxBytes), limits.readMaxBytes));
          return;
        }
        if (first === undefined) first = chunk;
        else (chunks ??= [first]).push(chunk);
      });
      s.on("trailers", (t) => {
        trailers = t;
      });
      s.on("end", () => {
        ended = true;
        // The response is complete: settle now, without waiting for our side of the stream (a
        // server that answered early may never read the rest of a large request).
        if (responseHeaders === undefined) return;
        succeed({
          status,
          headers: responseHeaders,
          trailers,
          body: chunks !== undefined ? Buffer.concat(chunks, size) : (first ?? empty),
        });
        if (!s.writableFinished) resetStream(s, h2.NO_ERROR);
      });
      s.on("error", (error) => {
        streamError = error;
      });
      s.on("close", () => {
        if (settled) return;
        if (responseHeaders !== undefined && ended) {
          succeed({
            status,
            headers: responseHeaders,
            trailers,
            body: chunks !== undefined ? Buffer.concat(chunks, size) : (first ?? empty),
          });
          return;
        }
        const rst = s.rstCode ?? 0;
        if (responseHeaders === undefined && rst === h2.REFUSED_STREAM && !retried) {
          // Refused by this session (a GOAWAY, a stream limit): once more on a fresh session.
          attempt(true);
          return;
        }
        const error = closeError(rst, streamError, connection.authority);
        // Never accepted by the server: safe to send again (the channel does, on another endpoint).
        const unsent = responseHeaders === undefined && (rst === h2.REFUSED_STREAM || nodeSaysUnsent(streamError));
        fail(unsent ? markUnprocessed(error) : error);
      });
      s.end(body);
    };

    if (timeoutMs !== undefined) {
      timer = armDeadline(() => fail(deadlineError()), timeoutMs);
    }
    if (signal !== undefined) {
      onAbort = () => fail(abortError(signal));
      signal.addEventListener("abort", onAbort);
    }
    attempt(false);
  });
}

/**
 * Why a stream to `address` closed before its response completed: a session-level failure
 * (connection refused or reset, GOAWAY with an error) is UNAVAILABLE "connection to <address> lost:
 * …"; a stream reset maps by its code. @private
 */
export function closeError(rstCode: number, streamError: unknown, address: string): ConnectError {
  const sessionLevel =
    streamError !== undefined && (streamError as { code?: unknown }).code !== "ERR_HTTP2_STREAM_ERROR";
  if (sessionLevel) {
    const error = errorFromNodeReason(streamError);
    return error.code === Code.Unavailable ? connectionError(address, error) : error;
  }
  return (
    errorFromRstCode(rstCode) ??
    new ConnectError("http/2 stream closed before the response completed", Code.Unavailable)
  );
}

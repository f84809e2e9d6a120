// Checks every new stream before it is dispatched: the header list limit, and a timer that resets
// a request whose client stopped sending in the middle of it.
import { constants, type ServerHttp2Stream } from "node:http2";
import type { StreamListener } from "../fast/fast-stream-handler.js";
import { headerListSize, rejectLargeHeaders } from "./header-limit.js";
import type { ServerHardening } from "./hardening-options.js";

/** Wraps a server's 'stream' listener with the per-stream limits of `hardening`. @private */
export function guardStreams(listener: StreamListener, hardening: Pick<ServerHardening, "maxHeaderListBytes" | "requestIdleTimeoutMs">): StreamListener {
  const { maxHeaderListBytes, requestIdleTimeoutMs } = hardening;
  return (stream, headers, flags, rawHeaders) => {
    const size = headerListSize(rawHeaders);
    if (size > maxHeaderListBytes) {
      rejectLargeHeaders(stream, headers["content-type"], size, maxHeaderListBytes);
      return;
    }
    if (requestIdleTimeoutMs > 0 && (flags & constants.NGHTTP2_FLAG_END_STREAM) === 0) {
      resetWhenRequestStalls(stream, requestIdleTimeoutMs);
    }
    listener(stream, headers, flags, rawHeaders);
  };
}

/** Streams whose handler has received request messages it has not read yet. */
const unread = new WeakSet<ServerHttp2Stream>();

/**
 * Tells the stall timer that `stream`'s request has bytes waiting unread outside the stream's own
 * buffer (the fast path's request queue), so a slow handler is not taken for a stalled client.
 * @private
 */
export function markUnreadRequest(stream: ServerHttp2Stream, waiting: boolean): void {
  if (waiting) unread.add(stream);
  else unread.delete(stream);
}

/**
 * Resets `stream` with CANCEL when `timeoutMs` pass without a byte of its request arriving while the
 * client has not finished sending it. Most requests end in the same read as their headers (a unary
 * call's single DATA frame): the watch starts only for a request still open one turn of the event
 * loop later, so those cost no timer. One timer per open request, put off by every DATA chunk node
 * pushes into the stream. It watches `push()` rather than listening for 'data': a 'data' listener
 * would switch the stream to flowing mode, reading the request whether or not the handler does,
 * which defeats HTTP/2 flow control (a slow handler would no longer hold the client back). A
 * handler that reads slowly is not a stalled client: the timer is re-armed while received bytes
 * wait unread in the stream's buffer or
 * in the fast path's request queue ({@link markUnreadRequest}).
 * @private
 */
export function resetWhenRequestStalls(stream: ServerHttp2Stream, timeoutMs: number): void {
  setImmediate(() => {
    if (!stream.destroyed && !stream.readableEnded) watchRequest(stream, timeoutMs);
  });
}

/**
 * The stall timer of a request still being received. A chunk only notes its time (a timer's
 * `refresh()` per DATA chunk cost ~0.5 µs of a ping-pong message's server CPU); when the timer
 * fires before `timeoutMs` have passed since the last chunk, it is armed again for the rest.
 */
function watchRequest(stream: ServerHttp2Stream, timeoutMs: number): void {
  let lastChunkAt = performance.now();
  const check = (): void => {
    if (stream.destroyed) return;
    const quietMs = performance.now() - lastChunkAt;
    if (quietMs < timeoutMs) {
      timer = setTimeout(check, timeoutMs - quietMs);
      timer.unref();
      return;
    }
    if (stream.readableLength > 0 || unread.has(stream)) {
      timer.refresh();
      return;
    }
    stream.close(constants.NGHTTP2_CANCEL);
  };
  let timer = setTimeout(check, timeoutMs);
  timer.unref();
  const push = stream.push.bind(stream);
  stream.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (chunk !== null) lastChunkAt = performance.now();
    return push(chunk, encoding);
  };
  const stop = (): void => {
    clearTimeout(timer);
    stream.off("end", stop);
    stream.off("close", stop);
  };
  stream.once("end", stop);
  stream.once("close", stop);
}

// Resets an HTTP/2 stream (RST_STREAM) on the next turn of the event loop, never from inside node's
// handling of a received frame, where Node 20 can free the stream nghttp2 is still working on.
import type { Http2Stream } from "node:http2";

/**
 * Closes `stream` with `code` from `setImmediate`, unless it has closed by then.
 *
 * The fast path's stream handlers ('response', 'data', 'end') and the promise continuations they
 * settle run while node is still inside nghttp2's processing of the frame that caused them. From
 * there, Node 20's `Http2Stream.close()` on a stream that is still writable or paused sends pending
 * frames at once; that can close and free the nghttp2 stream, and nghttp2 then writes into the freed
 * memory when it finishes the frame (glibc aborts later with "corrupted size vs. prev_size";
 * nodejs/node#64113, fixed in Node 22+ only). From `setImmediate` the reset is sent from the event
 * loop, after that frame is done. Frames the peer sends in between are ignored by the caller, which
 * has already settled the call.
 * @private
 */
export function resetStream(stream: Http2Stream, code: number): void {
  if (stream.closed || stream.destroyed) return;
  setImmediate(() => {
    if (!stream.closed && !stream.destroyed) stream.close(code);
  });
}

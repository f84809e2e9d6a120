// Drives a streaming handler's messages into an HTTP/2 stream: the messages ready within one turn of
// the event loop are framed into one buffer and written at once, in order, with backpressure.
import { notReady, readySourceOf, takeReady } from "../../call/ready-values.js";
import { envelopePrefixBytes } from "../../transport/envelope.js";
import type { EncodedChunks } from "./large-bytes.js";
import { FrameBatch } from "./frame-batch.js";
import { nextLoopTurn, notePumped, turnSpent } from "./turn-budget.js";

/** Bytes of framed messages gathered before they are written without waiting for the turn to end. @private */
export const maxBatchBytes = 16 * 1024;


/** Where {@link pumpMessages} writes. @private */
export interface MessageSink {
  /**
   * Serializes one response message, as chunks when it keeps large bytes of the handler's own (see
   * large-bytes.ts); a throw ends the pump (what was serialized before it is written first).
   */
  serialize(message: unknown): Uint8Array | EncodedChunks;
  /**
   * One small message as a whole envelope (prefix included), or undefined for {@link serialize} to
   * take it; a lone framed message is written as it is (optional; a throw ends the pump as above).
   */
  frame?(message: unknown): Buffer | undefined;
  /** Writes framed messages (sending the response headers first when they are not out yet). */
  write(frames: Buffer): void;
  /** Messages of at least this many bytes, and chunked ones, go to {@link writeLarge} (default: none). */
  readonly largeBytes?: number;
  /**
   * Writes one large message behind its prefix without copying it; returns a promise when the next
   * message must wait for it to be written out (it holds the handler's own bytes).
   */
  writeLarge?(message: Uint8Array | EncodedChunks): Promise<void> | undefined;
  /** True once the call is over (client gone, deadline, response completed): stop, dropping what is not written. */
  stopped(): boolean;
  /** True while the stream's buffer is over its high-water mark. */
  needsDrain(): boolean;
  /** Resolves on the stream's 'drain', or when the call stops. */
  drained(): Promise<void>;
}

/**
 * Pulls `source` until it is done or `sink` stops, and writes each message as a gRPC / Connect
 * envelope (flags 0). Messages that are ready one after another without the event loop turning
 * (an async generator reading a full queue; a source implementing the ready-values protocol, such as
 * a hub subscription's `map`, hands them over without a promise each) are framed into one buffer
 * and written with one `write` when the turn ends (`process.nextTick`, before any I/O or timer) or
 * once {@link maxBatchBytes} are gathered, so a burst costs one write and one DATA frame per stream
 * instead of one per message. Pumps share a turn budget (turn-budget.ts): once pumps have moved
 * large batches for 4 ms (`turnBudgetMs`) in one turn of the loop, a pump woken in that turn waits
 * for the next, so node's HTTP/2 session sends what was written (and reads WINDOW_UPDATEs) between
 * turns instead of after one long burst for every stream. Order is kept; nothing more is pulled while the stream needs to
 * drain (checked after each write: it changes only then), so at most `maxBatchBytes` plus one
 * message wait beyond the stream's high-water mark.
 * Resolves once every message pulled has been handed to `sink.write` (or dropped because the sink
 * stopped); rejects with what `source` or `sink.serialize` threw, after writing what came before
 * and ending `source` (its `return()`).
 * @private
 */
export async function pumpMessages(source: AsyncIterator<unknown>, sink: MessageSink): Promise<void> {
  const batch = new FrameBatch();
  let flushQueued = false;
  /** Writes handed to the sink: the stream's buffer and the call's state change only with one (or across an await). */
  let writes = 0;
  const flush = (): void => {
    flushQueued = false;
    const frames = batch.take();
    if (frames !== undefined && !sink.stopped()) {
      writes++;
      sink.write(frames);
    }
  };
  const largeBytes = sink.largeBytes ?? Number.POSITIVE_INFINITY;
  /** Frames one message into the batch, or writes a large one at once (after the batch); a promise: wait before the next. */
  const add = (message: unknown): Promise<void> | undefined => {
    const frame = sink.frame?.(message);
    if (frame !== undefined) {
      if (batch.bytes + frame.byteLength > maxBatchBytes && batch.bytes > 0) flush();
      batch.addFrame(frame);
    } else {
      const bytes = sink.serialize(message);
      if (!(bytes instanceof Uint8Array) || bytes.byteLength >= largeBytes) {
        if (sink.writeLarge === undefined) throw new Error("a message serialized as chunks needs a sink with writeLarge");
        flush();
        if (sink.stopped()) return undefined;
        writes++;
        return sink.writeLarge(bytes);
      }
      if (batch.bytes + envelopePrefixBytes + bytes.byteLength > maxBatchBytes && batch.bytes > 0) flush();
      batch.add(bytes);
    }
    if (batch.bytes >= maxBatchBytes) flush();
    else if (!flushQueued) {
      flushQueued = true;
      process.nextTick(flush);
    }
    return undefined;
  };
  const ready = readySourceOf(source);
  try {
    for (;;) {
      if (sink.needsDrain()) {
        await sink.drained();
        if (sink.stopped()) return;
      }
      const next = await source.next();
      if (next.done === true || sink.stopped()) return;
      while (turnSpent()) {
        // Other streams' pumps have used this turn up: let the loop send what they wrote first.
        await nextLoopTurn();
        if (sink.stopped()) return;
      }
      let pending = add(next.value);
      let moved = 1;
      let checkedAt = -1;
      while (pending === undefined && ready !== undefined) {
        if (checkedAt !== writes) {
          if (sink.needsDrain() || sink.stopped()) break;
          checkedAt = writes;
        }
        const value = ready[takeReady]();
        if (value === notReady) break;
        pending = add(value);
        moved++;
      }
      notePumped(moved);
      if (pending !== undefined) {
        await pending;
        if (sink.stopped()) return;
      }
    }
  } catch (error) {
    // A message that cannot be serialized ends the call: let the source let go of what it holds
    // (a hub subscription closes); after a source's own throw this is a no-op.
    void source.return?.()?.catch(() => {});
    throw error;
  } finally {
    flush();
  }
}

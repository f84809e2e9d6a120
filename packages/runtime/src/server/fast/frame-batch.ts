// The messages one response pump gathered in a turn, framed into one buffer when taken: a gRPC /
// Connect envelope prefix before each serialized message, whole envelopes copied as they are.
import { envelopePrefixBytes } from "../../transport/envelope.js";

/** An entry of a taken batch: keeps no message alive. */
const released = new Uint8Array(0);
/**
 * A batch that held more messages than this gives its arrays up when taken, so a rare burst's slots
 * are not kept. A hub subscriber's queue (1,024 by default) drained in one turn fits, and so does
 * any batch of messages of 11 bytes or more (16 KiB, `maxBatchBytes`, of 16-byte envelopes): at
 * 256, the hub's 1,000-stream fan-out gave its arrays up after nine batches in ten (queues of 256
 * plus what was published while a pump waited for its turn), and the arrays grown again for each
 * batch were most of what the server's scavenges copied.
 * @private
 */
export const keptSlots = 1024;

/**
 * Serialized messages (and whole envelopes) waiting to be framed into one buffer. Its two arrays are
 * reused from batch to batch (up to {@link keptSlots} entries): with a thousand streams woken at
 * once, arrays made and grown anew for each batch were the largest part of what survived scavenges.
 * @private
 */
export class FrameBatch {
  private messages: Uint8Array[] = [];
  /** Per entry of `messages`: whether it is a whole envelope already. */
  private framed: boolean[] = [];
  /** Entries held. */
  private count = 0;
  /** Framed size of what is held. */
  bytes = 0;

  /** Entries the batch's arrays keep between batches (0 after a batch over {@link keptSlots}). */
  get slotsKept(): number {
    return this.messages.length;
  }

  /** Holds a serialized message (framed when taken). */
  add(message: Uint8Array): void {
    this.messages[this.count] = message;
    this.framed[this.count++] = false;
    this.bytes += envelopePrefixBytes + message.byteLength;
  }

  /** Holds a whole envelope. */
  addFrame(frame: Buffer): void {
    this.messages[this.count] = frame;
    this.framed[this.count++] = true;
    this.bytes += frame.byteLength;
  }

  /** Frames what is held into one buffer (a lone envelope as it is) and empties the batch; undefined when empty. */
  take(): Buffer | undefined {
    if (this.bytes === 0) return undefined;
    const { messages, framed, count } = this;
    let out: Buffer;
    if (count === 1 && framed[0] === true) {
      out = messages[0] as Buffer;
    } else {
      out = Buffer.allocUnsafe(this.bytes);
      let at = 0;
      for (let i = 0; i < count; i++) {
        const message = messages[i] as Uint8Array;
        if (framed[i] !== true) {
          out[at] = 0;
          out.writeUInt32BE(message.byteLength, at + 1);
          at += envelopePrefixBytes;
        }
        out.set(message, at);
        at += message.byteLength;
      }
    }
    if (count > keptSlots) {
      this.messages = [];
      this.framed = [];
    } else {
      messages.fill(released, 0, count);
    }
    this.count = 0;
    this.bytes = 0;
    return out;
  }
}

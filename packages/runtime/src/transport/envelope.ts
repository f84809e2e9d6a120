// gRPC length-prefixed message framing (1 flag byte, 4-byte big-endian length): encoding, and an
// incremental parser with a size limit that never buffers more than one oversized prefix.
import { Code, ConnectError } from "@connectrpc/connect";

/** Flag bit of a compressed message. @private */
export const flagCompressed = 0b01;
/** Flag bit of a Connect end-of-stream message / gRPC-Web trailer frame. @private */
export const flagEndStream = 0b10;

/** Frames one message: a single buffer of 5 + length bytes. @private */
export function encodeEnvelope(bytes: Uint8Array, flags = 0): Buffer {
  const frame = Buffer.allocUnsafe(5 + bytes.byteLength);
  frame[0] = flags;
  frame.writeUInt32BE(bytes.byteLength, 1);
  frame.set(bytes, 5);
  return frame;
}

/**
 * The 5-byte prefix of a message of `length` bytes, for writing the message itself after it
 * without copying it into one buffer (small: node takes it from its shared pool). @private
 */
export function envelopePrefix(length: number, flags = 0): Buffer {
  const prefix = Buffer.allocUnsafe(5);
  prefix[0] = flags;
  prefix.writeUInt32BE(length, 1);
  return prefix;
}

/** One parsed envelope. @private */
export interface Envelope {
  readonly flags: number;
  readonly data: Uint8Array;
}

/** An incremental envelope parser. @private */
export interface EnvelopeParser {
  /** Feeds bytes; returns the envelopes completed by them (an empty array when none). Throws on a limit violation. */
  push(chunk: Uint8Array): Envelope[];
  /** Bytes buffered of an incomplete envelope. */
  readonly pending: number;
}

/** The error for a message over `readMaxBytes`. @private */
export function tooLargeError(size: number, readMaxBytes: number): ConnectError {
  return new ConnectError(
    `message size ${size} is larger than configured readMaxBytes ${readMaxBytes}`,
    Code.ResourceExhausted,
  );
}

/**
 * Creates a parser that rejects envelopes whose declared length exceeds `readMaxBytes` as soon as
 * their 5-byte prefix is in, before any of the body is buffered. Linear in the bytes fed: chunks are
 * kept in a list with a running total, and each envelope's bytes are copied at most once, when the
 * whole envelope is there (an envelope inside a single chunk is a view of it, not a copy).
 * @private
 */
export function createEnvelopeParser(readMaxBytes: number): EnvelopeParser {
  /** Unconsumed chunks; the first one from `head` on. */
  let chunks: Buffer[] = [];
  let head = 0;
  /** Bytes buffered past `head`. */
  let buffered = 0;
  /** The prefix of the envelope being assembled, once read. */
  let current: { flags: number; length: number } | undefined;

  /** Removes the next `n` (≤ buffered) bytes: a view when one chunk holds them, else one copy. */
  const take = (n: number): Buffer => {
    buffered -= n;
    const first = chunks[0] as Buffer;
    if (first.byteLength - head >= n) {
      const out = first.subarray(head, head + n);
      head += n;
      if (head === first.byteLength) {
        chunks.shift();
        head = 0;
      }
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let used = 0;
    while (filled < n) {
      const chunk = chunks[used] as Buffer;
      const count = Math.min(n - filled, chunk.byteLength - head);
      chunk.copy(out, filled, head, head + count);
      filled += count;
      head += count;
      if (head === chunk.byteLength) {
        used++;
        head = 0;
      }
    }
    chunks = used === chunks.length ? [] : chunks.slice(used);
    return out;
  };

  return {
    get pending() {
      return buffered + (current !== undefined ? 5 : 0);
    },
    push(chunk) {
      if (chunk.byteLength > 0) {
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        buffered += chunk.byteLength;
      }
      const out: Envelope[] = [];
      for (;;) {
        if (current === undefined) {
          if (buffered < 5) break;
          const prefix = take(5);
          const length = prefix.readUInt32BE(1);
          if (length > readMaxBytes) throw tooLargeError(length, readMaxBytes);
          current = { flags: prefix[0] as number, length };
        }
        if (buffered < current.length) break;
        out.push({ flags: current.flags, data: current.length === 0 ? emptyData : take(current.length) });
        current = undefined;
      }
      return out;
    },
  };
}

const emptyData = new Uint8Array(0);

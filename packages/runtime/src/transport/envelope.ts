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

/** Creates a parser that rejects envelopes whose declared length exceeds `readMaxBytes`. @private */
export function createEnvelopeParser(readMaxBytes: number): EnvelopeParser {
  let buffer: Buffer = Buffer.alloc(0);
  return {
    get pending() {
      return buffer.byteLength;
    },
    push(chunk) {
      buffer = buffer.byteLength === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([buffer, chunk]);
      const out: Envelope[] = [];
      let offset = 0;
      while (buffer.byteLength - offset >= 5) {
        const length = buffer.readUInt32BE(offset + 1);
        if (length > readMaxBytes) throw tooLargeError(length, readMaxBytes);
        if (buffer.byteLength - offset < 5 + length) break;
        out.push({ flags: buffer[offset] as number, data: buffer.subarray(offset + 5, offset + 5 + length) });
        offset += 5 + length;
      }
      buffer = offset === 0 ? buffer : buffer.subarray(offset);
      return out;
    },
  };
}

// gRPC length-prefixed message framing (1 flag byte, 4-byte big-endian length): encoding, and an
// incremental parser with a size limit that never buffers more than one oversized prefix.
import { Code, ConnectError } from "@connectrpc/connect";

/** Flag bit of a compressed message. @private */
export const flagCompressed = 0b01;
/** Flag bit of a Connect end-of-stream message / gRPC-Web trailer frame. @private */
export const flagEndStream = 0b10;

/** Bytes of an envelope's prefix: 1 flag byte, 4-byte big-endian length. @private */
export const envelopePrefixBytes = 5;

/**
 * Fills the prefix of `frame`, a message body written behind {@link envelopePrefixBytes} bytes of
 * headroom: flags 0 and the body's length. Returns `frame`. @private
 */
export function writeEnvelopePrefix(frame: Buffer): Buffer {
  frame[0] = 0;
  frame.writeUInt32BE(frame.byteLength - envelopePrefixBytes, 1);
  return frame;
}

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

/**
 * The largest envelope body that is allocated whole as soon as its first bytes arrive (128 KiB:
 * a 64 KiB message and its protobuf overhead fit). @private
 */
export const preallocatedBodyBytes = 128 * 1024;

/** One parsed envelope. @private */
export interface Envelope {
  readonly flags: number;
  readonly data: Uint8Array;
}

/**
 * Receives one complete envelope: its body is `bytes[offset, offset + length)` (a plain Uint8Array
 * view of the chunk fed, made once per chunk, or a buffer the body was assembled in). Nothing is
 * allocated per envelope to hand it over. @private
 */
export type EnvelopeVisitor = (flags: number, bytes: Uint8Array, offset: number, length: number) => void;

/** An incremental envelope parser. @private */
export interface EnvelopeParser {
  /** Feeds bytes; returns the envelopes completed by them (an empty array when none). Throws on a limit violation. */
  push(chunk: Uint8Array): readonly Envelope[];
  /**
   * Feeds bytes and hands each envelope they complete to `visit`, in order, as it completes (no
   * envelope object, view or array per message). Throws on a limit violation, or what `visit` threw
   * (the parser is then not fed again: the call it reads is over).
   */
  each(chunk: Uint8Array, visit: EnvelopeVisitor): void;
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
 * their 5-byte prefix is in, before any of the body is buffered. Linear in the bytes fed, and keeps
 * no chunk it was fed: an envelope inside a single chunk is a view of it (no copy); an envelope
 * split across chunks is copied piece by piece as its chunks arrive into a buffer of the length its
 * prefix announced, so a message of up to {@link preallocatedBodyBytes} arriving as 16 KiB DATA
 * frames costs one allocation and one copy. A longer one starts in a buffer of that size that
 * doubles as bytes arrive (at most twice the bytes received are held, so a peer that announces a
 * large message and sends little of it costs little).
 * @private
 */
export function createEnvelopeParser(readMaxBytes: number): EnvelopeParser {
  /**
   * The prefix being read when it is split across chunks (made the first time one is), and how much
   * of it is in.
   */
  let prefix: Buffer | undefined;
  let prefixFilled = 0;
  /** The prefix of the envelope whose body is being read, once read: its length, -1 before. */
  let currentLength = -1;
  let currentFlags = 0;
  /** The body of the envelope being read when it spans chunks, and how much of it is in. */
  let body: Buffer | undefined;
  let bodyFilled = 0;

  /** Reads the prefix at `at` of `chunk` (or what of it is there); returns the new position. */
  const readPrefix = (chunk: Uint8Array, at: number): number => {
    let flags: number;
    let length: number;
    if (prefixFilled === 0 && chunk.byteLength - at >= 5) {
      flags = chunk[at] as number;
      length = ((chunk[at + 1] as number) * 0x1000000 + (((chunk[at + 2] as number) << 16) | ((chunk[at + 3] as number) << 8) | (chunk[at + 4] as number))) >>> 0;
      at += 5;
    } else {
      const count = Math.min(5 - prefixFilled, chunk.byteLength - at);
      prefix ??= Buffer.alloc(5);
      prefix.set(chunk.subarray(at, at + count), prefixFilled);
      prefixFilled += count;
      at += count;
      if (prefixFilled < 5) return at;
      prefixFilled = 0;
      flags = prefix[0] as number;
      length = prefix.readUInt32BE(1);
    }
    if (length > readMaxBytes) throw tooLargeError(length, readMaxBytes);
    currentFlags = flags;
    currentLength = length;
    return at;
  };

  return {
    get pending() {
      return prefixFilled + (currentLength >= 0 ? 5 + bodyFilled : 0);
    },
    push(chunk) {
      let out: Envelope[] | undefined;
      this.each(chunk, (flags, bytes, offset, length) => {
        (out ??= []).push(envelopeAt(flags, bytes, offset, length));
      });
      return out ?? noEnvelopes;
    },
    each(input, visit) {
      // Bodies are handed over as ranges of a plain Uint8Array view of the chunk, made once per chunk,
      // so a bytes field decoded from one is a builtin Uint8Array view too (codec.ts's parseWith).
      const chunk = Buffer.isBuffer(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : input;
      const size = chunk.byteLength;
      let at = 0;
      while (at < size) {
        if (currentLength < 0) {
          at = readPrefix(chunk, at);
          if (currentLength < 0) break;
        }
        const flags = currentFlags;
        const length = currentLength;
        if (body === undefined) {
          if (size - at >= length) {
            currentLength = -1;
            at += length;
            visit(flags, chunk, at - length, length);
            continue;
          }
          body = Buffer.allocUnsafe(Math.min(length, preallocatedBodyBytes));
          bodyFilled = 0;
        }
        if (bodyFilled === body.byteLength) {
          const grown = Buffer.allocUnsafe(Math.min(length, 2 * body.byteLength));
          grown.set(body);
          body = grown;
        }
        const count = Math.min(body.byteLength - bodyFilled, size - at);
        body.set(chunk.subarray(at, at + count), bodyFilled);
        bodyFilled += count;
        at += count;
        if (bodyFilled < length) continue;
        const whole = body;
        body = undefined;
        bodyFilled = 0;
        currentLength = -1;
        visit(flags, whole, 0, length);
      }
    },
  };
}

/** `length` bytes of `chunk` from `at`, as a Buffer view (no copy). */
/**
 * The envelope an {@link EnvelopeVisitor} was handed, as an object that keeps a view of its body
 * (the whole buffer when the body is all of it; no copy). @private
 */
export function envelopeAt(flags: number, bytes: Uint8Array, offset: number, length: number): Envelope {
  return { flags, data: length === 0 ? emptyData : offset === 0 && length === bytes.byteLength ? bytes : viewOf(bytes, offset, length) };
}

function viewOf(chunk: Uint8Array, at: number, length: number): Buffer {
  return Buffer.isBuffer(chunk) ? chunk.subarray(at, at + length) : Buffer.from(chunk.buffer, chunk.byteOffset + at, length);
}

const emptyData = new Uint8Array(0);
/** What `push` returns when no envelope completed (shared, never written to). */
const noEnvelopes: Envelope[] = [];

// Binary protobuf (de)serialization of the fast path, with Connect's error codes and the
// write-size limit.
import { create, fromBinary, isMessage, toBinary, type BinaryReadOptions, type BinaryWriteOptions, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { envelopePrefixBytes, writeEnvelopePrefix } from "./envelope.js";
import { flatCodecOf, type FlatCodec } from "./flat-codec.js";

/**
 * Largest message a Sluice client or server accepts unless `readMaxBytes` says otherwise: 4 MiB, the
 * gRPC default on both sides, so a peer cannot make either side buffer gigabytes.
 */
export const defaultReadMaxBytes = 4 * 1024 * 1024;

/** Serialization settings of a transport or handler. @private */
export interface CodecOptions {
  readonly binaryOptions?: Partial<BinaryReadOptions & BinaryWriteOptions>;
  readonly readMaxBytes: number;
  readonly writeMaxBytes: number;
}

/** Serializes a message (or its init shape); fails with RESOURCE_EXHAUSTED over writeMaxBytes. @private */
export function serialize<D extends DescMessage>(
  schema: D,
  input: MessageInitShape<D>,
  options: CodecOptions,
): Uint8Array {
  return serializeWithHeadroom(schema, input, options, 0);
}

/**
 * Serializes a message as one gRPC / Connect envelope (flags 0) in a single buffer: a flat message
 * (flat-codec.ts) is written behind its prefix directly, any other is framed after serializing.
 * @private
 */
export function serializeEnvelope<D extends DescMessage>(schema: D, input: MessageInitShape<D>, options: CodecOptions): Buffer {
  return writeEnvelopePrefix(serializeWithHeadroom(schema, input, options, envelopePrefixBytes) as Buffer);
}

/**
 * Binary protobuf of `input` (a message or its init shape) behind `headroom` unwritten bytes (a
 * Buffer when `headroom` > 0): a flat message by flat-codec.ts, any other by protobuf-es (also a flat
 * one holding unknown fields, so `writeUnknownFields: false` drops them as protobuf-es does). Throws
 * what protobuf-es throws. @private
 */
export function encodeBinary<D extends DescMessage>(
  schema: D,
  input: MessageInitShape<D>,
  binaryOptions: Partial<BinaryWriteOptions> | undefined,
  headroom = 0,
): Uint8Array {
  const flat = flatCodecOf(schema)?.encode(input, headroom);
  if (flat !== undefined) return flat;
  const bytes = toBinary(schema, (isMessage(input, schema) ? input : create(schema, input)) as MessageShape<D>, binaryOptions);
  if (headroom === 0) return bytes;
  const out = Buffer.allocUnsafe(headroom + bytes.byteLength);
  out.set(bytes, headroom);
  return out;
}

/** Serializes into a buffer that starts with `headroom` unwritten bytes (a Buffer when `headroom` > 0). */
function serializeWithHeadroom<D extends DescMessage>(schema: D, input: MessageInitShape<D>, options: CodecOptions, headroom: number): Uint8Array {
  let out: Uint8Array;
  try {
    out = encodeBinary(schema, input, options.binaryOptions, headroom);
  } catch (error) {
    throw new ConnectError(`serialize binary: ${error instanceof Error ? error.message : String(error)}`, Code.Internal);
  }
  checkWriteMaxBytes(out.byteLength - headroom, options.writeMaxBytes);
  return out;
}

/** Throws RESOURCE_EXHAUSTED, with Connect's message, when a message of `length` bytes is over `writeMaxBytes`. @private */
export function checkWriteMaxBytes(length: number, writeMaxBytes: number): void {
  if (length > writeMaxBytes) {
    throw new ConnectError(`message size ${length} is larger than configured writeMaxBytes ${writeMaxBytes}`, Code.ResourceExhausted);
  }
}

/** Parses a message; a malformed one fails with INTERNAL ("parse binary: …"), as in Connect. @private */
export function parse<D extends DescMessage>(schema: D, bytes: Uint8Array, options: CodecOptions): MessageShape<D> {
  return parseAt(schema, bytes, 0, bytes.byteLength, options);
}

/**
 * Parses the message at `bytes[offset, offset + length)` (an envelope's body where the parser found
 * it), with {@link parse}'s errors: a flat message is decoded in place without a view of its own;
 * whatever the flat codec does not take (unknown fields, a malformed field) goes to protobuf-es,
 * which keeps or reports it.
 * @private
 */
export function parseAt<D extends DescMessage>(schema: D, bytes: Uint8Array, offset: number, length: number, options: CodecOptions): MessageShape<D> {
  return parseWith(flatCodecOf(schema), schema, bytes, offset, length, options);
}

/**
 * {@link parseAt} for one schema, with its flat codec looked up once: a stream's reader parses every
 * message with it instead of a WeakMap lookup per message.
 * @private
 */
export function parserFor<D extends DescMessage>(schema: D, options: CodecOptions): (bytes: Uint8Array, offset: number, length: number) => MessageShape<D> {
  const flat = flatCodecOf(schema);
  return (bytes, offset, length) => parseWith(flat, schema, bytes, offset, length, options);
}

/**
 * Decodes with `flat` when it takes the message, else with protobuf-es; a failure is INTERNAL
 * "parse binary: …". Bytes fields come out as plain Uint8Array views, never Buffers.
 */
function parseWith<D extends DescMessage>(
  flat: FlatCodec<D> | undefined,
  schema: D,
  bytes: Uint8Array,
  offset: number,
  length: number,
  options: CodecOptions,
): MessageShape<D> {
  // A bytes field is a view of what it was decoded from: from a plain Uint8Array view it is a plain
  // Uint8Array, as Connect-ES hands out, and views of one cost a third less than Buffer's subarray.
  const source = Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
  try {
    return (
      flat?.decode(source, offset, offset + length) ??
      fromBinary(schema, offset === 0 && length === source.byteLength ? source : source.subarray(offset, offset + length), options.binaryOptions)
    );
  } catch (error) {
    throw new ConnectError(`parse binary: ${error instanceof Error ? error.message : String(error)}`, Code.Internal);
  }
}

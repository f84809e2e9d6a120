// Binary protobuf for "flat" messages (proto3 singular scalars, strings, bytes and enums, nothing
// nested): encodes and decodes without the generic path's writer, reader and DataView per message.
import { create, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { compileFlatDecoder } from "./compiled-flat-decoder.js";
import { compileFlatEncoder } from "./compiled-flat-encoder.js";
import { flatField, textOf, wireTypeOf, type FlatField, type Kind } from "./flat-field.js";

/** The encoder and decoder of one flat message type. @private */
export interface FlatCodec<D extends DescMessage> {
  /**
   * Encodes `message` (a message or an init shape) into a new Buffer that starts with `headroom`
   * unwritten bytes (an envelope prefix's room); undefined when it holds something this codec leaves
   * to the generic path (unknown fields, a value of the wrong type).
   */
  encode(message: unknown, headroom: number): Buffer | undefined;
  /**
   * Decodes `bytes` from `start` to `end` (default: all of it); undefined when they hold anything
   * this codec leaves to the generic path (an unknown field, a field with an unexpected wire type, a
   * malformed varint or length): the generic path then keeps unknown fields or raises its own error.
   * A `bytes` field is a view of `bytes`.
   */
  decode(bytes: Uint8Array, start?: number, end?: number): MessageShape<D> | undefined;
}

const codecs = new WeakMap<DescMessage, FlatCodec<DescMessage> | null>();

/**
 * The flat codec of `schema`, or undefined when the message is not flat: a field that is repeated,
 * a map, a message, in a oneof, with explicit presence (proto2, `optional`), or 64-bit. Built once
 * per schema. @private
 */
export function flatCodecOf<D extends DescMessage>(schema: D): FlatCodec<D> | undefined {
  let codec = codecs.get(schema);
  if (codec === undefined) {
    codec = newFlatCodec(schema, true) ?? null;
    codecs.set(schema, codec);
  }
  return (codec ?? undefined) as FlatCodec<D> | undefined;
}

/**
 * A new flat codec of `schema` (not the one kept per schema), encoding and decoding with code compiled
 * for it when `compile` is true and the process allows it, else with the generic loop and decoder;
 * undefined when the message is not flat. For the specs, which hold both to the same results. @private
 */
export function newFlatCodec<D extends DescMessage>(schema: D, compile: boolean): FlatCodec<D> | undefined {
  const fields = schema.fields.map(flatField);
  return fields.every((f) => f !== undefined) ? makeCodec(schema, fields as FlatField[], compile) : undefined;
}

/** Bytes of `value` as a varint (a negative int32 takes 10, as protobuf sign-extends it). */
function varintSize(value: number): number {
  if (value < 0) return 10;
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

function writeVarint(out: Buffer, at: number, value: number): number {
  if (value < 0) {
    // Sign-extended to 64 bits: the low 32 bits, then ones.
    let low = value >>> 0;
    for (let i = 0; i < 4; i++) {
      out[at++] = (low & 0x7f) | 0x80;
      low >>>= 7;
    }
    out[at++] = (low & 0x0f) | 0xf0;
    for (let i = 0; i < 4; i++) out[at++] = 0xff;
    out[at++] = 0x01;
    return at;
  }
  while (value > 0x7f) {
    out[at++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[at++] = value;
  return at;
}

/** The varint a field of `kind` holding `value` writes, or undefined for a non-varint kind. */
function varintOf(kind: Kind, value: number | boolean): number {
  switch (kind) {
    case "bool":
      return value === true ? 1 : 0;
    case "uint32":
      return (value as number) >>> 0;
    case "sint32":
      return (((value as number) << 1) ^ ((value as number) >> 31)) >>> 0;
    default:
      return (value as number) | 0;
  }
}

/** Whether `value` has the type a field of `kind` holds (anything else goes to the generic path). */
function typeFits(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case "bool":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "bytes":
      return value instanceof Uint8Array;
    case "uint32":
    case "fixed32":
      return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
    case "float":
    case "double":
      return typeof value === "number";
    default:
      return typeof value === "number" && Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff;
  }
}

/** Whether `value` is the field's default, which proto3 does not write. */
function isDefault(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case "bool":
      return value === false;
    case "string":
      return (value as string).length === 0;
    case "bytes":
      return (value as Uint8Array).byteLength === 0;
    default:
      // -0 is written for float and double, as protobuf-es does.
      return value === 0 && !Object.is(value, -0);
  }
}

function makeCodec<D extends DescMessage>(schema: D, fields: readonly FlatField[], compile: boolean): FlatCodec<D> {
  const sorted = [...fields].sort((a, b) => a.number - b.number);
  const byNumber = new Map(fields.map((f) => [f.number, f]));
  /** Scratch per encode: the values to write, their varint or UTF-8 length. */
  const values: unknown[] = new Array(sorted.length);
  const lengths: number[] = new Array(sorted.length);
  /** The generic decoder: field by field through `byNumber`, into the message create() makes. */
  const generic = (bytes: Uint8Array, start = 0, end = bytes.byteLength): MessageShape<D> | undefined => {
    const message = create(schema) as Record<string, unknown>;
    let at = start;
    while (at < end) {
      const tag = readVarint32(bytes, at, end);
      if (tag < 0) return undefined;
      at = varintEnd;
      const f = byNumber.get(tag >>> 3);
      if (f === undefined || (tag & 7) !== wireTypeOf(f.kind)) return undefined;
      switch (f.kind) {
        case "string":
        case "bytes": {
          const length = readVarint32(bytes, at, end);
          if (length < 0) return undefined;
          at = varintEnd;
          if (at + length > end) return undefined;
          const view = bytes.subarray(at, at + length);
          message[f.name] = f.kind === "bytes" ? view : textOf(view);
          if (f.kind === "string" && message[f.name] === undefined) return undefined;
          at += length;
          break;
        }
        case "fixed32":
        case "sfixed32":
        case "float":
        case "double": {
          const width = f.kind === "double" ? 8 : 4;
          if (at + width > end) return undefined;
          const view = new DataView(bytes.buffer, bytes.byteOffset + at, width);
          message[f.name] =
            f.kind === "fixed32" ? view.getUint32(0, true) : f.kind === "sfixed32" ? view.getInt32(0, true) : f.kind === "float" ? view.getFloat32(0, true) : view.getFloat64(0, true);
          at += width;
          break;
        }
        default: {
          // Up to 10 bytes; the low 32 bits are the value (int32 and enums are sign-extended).
          let low = 0;
          let any = 0;
          let shift = 0;
          let count = 0;
          let b: number;
          do {
            if (at >= end || count === 10) return undefined;
            b = bytes[at++] as number;
            if (shift < 32) low |= (b & 0x7f) << shift;
            any |= b & 0x7f;
            shift += 7;
            count++;
          } while (b >= 0x80);
          message[f.name] =
            f.kind === "bool" ? any !== 0 : f.kind === "uint32" ? low >>> 0 : f.kind === "sint32" ? (low >>> 1) ^ -(low & 1) : low | 0;
        }
      }
    }
    return message as MessageShape<D>;
  };
  // The decoder compiled for this schema where the process allows it (compiled-flat-decoder.ts).
  const compiled = compile ? compileFlatDecoder(schema, fields) : undefined;

  /** The encoder's loop over the fields, in number order. */
  const loop = (message: unknown, headroom: number): Buffer | undefined => {
    const m = message as Record<string, unknown> & { $unknown?: unknown[] };
    if (m.$unknown !== undefined && m.$unknown.length > 0) return undefined;
    let size = 0;
    for (let i = 0; i < sorted.length; i++) {
      const f = sorted[i] as FlatField;
      const value = m[f.name];
      if (value === undefined || value === null) {
        values[i] = undefined;
        continue;
      }
      if (!typeFits(f.kind, value)) return undefined;
      if (isDefault(f.kind, value)) {
        values[i] = undefined;
        continue;
      }
      values[i] = value;
      let length: number;
      switch (f.kind) {
        case "string": {
          const bytes = Buffer.byteLength(value as string, "utf8");
          length = varintSize(bytes) + bytes;
          lengths[i] = bytes;
          break;
        }
        case "bytes": {
          const bytes = (value as Uint8Array).byteLength;
          length = varintSize(bytes) + bytes;
          lengths[i] = bytes;
          break;
        }
        case "fixed32":
        case "sfixed32":
        case "float":
          length = 4;
          break;
        case "double":
          length = 8;
          break;
        default: {
          const v = varintOf(f.kind, value as number | boolean);
          lengths[i] = v;
          length = varintSize(v);
        }
      }
      size += f.tag.byteLength + length;
    }
    const out = Buffer.allocUnsafe(headroom + size);
    let at = headroom;
    for (let i = 0; i < sorted.length; i++) {
      const value = values[i];
      if (value === undefined) continue;
      values[i] = undefined;
      const f = sorted[i] as FlatField;
      for (let t = 0; t < f.tag.byteLength; t++) out[at++] = f.tag[t] as number;
      switch (f.kind) {
        case "string":
          at = writeVarint(out, at, lengths[i] as number);
          at += out.write(value as string, at, "utf8");
          break;
        case "bytes":
          at = writeVarint(out, at, lengths[i] as number);
          out.set(value as Uint8Array, at);
          at += (value as Uint8Array).byteLength;
          break;
        case "fixed32":
          at = out.writeUInt32LE((value as number) >>> 0, at);
          break;
        case "sfixed32":
          at = out.writeInt32LE((value as number) | 0, at);
          break;
        case "float":
          at = out.writeFloatLE(value as number, at);
          break;
        case "double":
          at = out.writeDoubleLE(value as number, at);
          break;
        default:
          at = writeVarint(out, at, lengths[i] as number);
      }
    }
    return out;
  };
  // The encoder compiled for these fields where the process allows it (compiled-flat-encoder.ts).
  const compiledEncode = compile ? compileFlatEncoder(fields, { typeFits, isDefault, varintOf, varintSize, writeVarint }) : undefined;

  return {
    encode: compiledEncode ?? loop,
    decode: compiled !== undefined ? (bytes, start = 0, end = bytes.byteLength) => compiled(bytes, start, end) : generic,
  };
}

/** Where the varint {@link readVarint32} read last ended. */
let varintEnd = 0;

/**
 * Reads a varint of at most 4 bytes (28 bits: field tags and lengths this codec takes) at `at`;
 * sets {@link varintEnd}. Returns -1 when it is longer or runs past `end`.
 */
function readVarint32(bytes: Uint8Array, at: number, end: number): number {
  let value = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (at >= end) return -1;
    const b = bytes[at++] as number;
    value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      varintEnd = at;
      return value;
    }
  }
  return -1;
}

// Serializes a message whose top-level `bytes` fields are large without copying them: protobuf-es
// encodes the rest, and each large field follows as its own tag + length and the caller's bytes.
import { ScalarType, create, isMessage, toBinary, type BinaryWriteOptions, type DescField, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";

/** `FeatureSet.FieldPresence.IMPLICIT`: a proto3 field without `optional`, not written when empty. */
const implicitPresence = 2;
/** Wire type of length-delimited fields. */
const lengthDelimited = 2;

/** A message encoded as chunks to be sent one after the other; `byteLength` is their total. */
export interface EncodedChunks {
  readonly chunks: readonly Uint8Array[];
  readonly byteLength: number;
}

/**
 * Encodes `message` as chunks when one of its top-level `bytes` fields (implicit presence, outside
 * any oneof) holds at least `minBytes`; otherwise returns undefined (use `toBinary`). The large
 * fields are left out of what protobuf-es encodes and appended after it, each as its tag, its
 * length and the field's own Uint8Array (not copied). Protobuf parsers accept fields in any order,
 * and each such field occurs once, so the bytes parse to the same message.
 */
export function encodeWithLargeBytes<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc> | MessageInitShape<Desc>,
  minBytes: number,
  options?: Partial<BinaryWriteOptions>,
): EncodedChunks | undefined {
  let large: DescField[] | undefined;
  const values = message as unknown as Record<string, unknown>;
  for (const field of bytesFieldsOf(schema)) {
    if (isLargeBytes(values[field.localName], minBytes)) (large ??= []).push(field);
  }
  if (large === undefined) return undefined;
  // A message (or an init object, made into one only now: small messages never pay for it) without its large fields.
  const rest = isMessage(message, schema)
    ? Object.assign(Object.create(Object.getPrototypeOf(message) as object) as Record<string, unknown>, message)
    : (create(schema, { ...(message as object) } as MessageInitShape<Desc>) as unknown as Record<string, unknown>);
  for (const field of large) rest[field.localName] = emptyBytes;
  const head = toBinary(schema, rest as unknown as MessageShape<Desc>, options);
  const chunks: Uint8Array[] = [head];
  let byteLength = head.byteLength;
  for (const field of large) {
    const bytes = values[field.localName] as Uint8Array;
    const key = varint(((field.number << 3) | lengthDelimited) >>> 0, varint(bytes.byteLength));
    chunks.push(key, bytes);
    byteLength += key.byteLength + bytes.byteLength;
  }
  return { chunks, byteLength };
}

const emptyBytes = new Uint8Array(0);

/** The base-128 varint of `value` (an unsigned 32-bit integer), followed by `tail`. */
function varint(value: number, tail: Uint8Array = emptyBytes): Uint8Array {
  const out: number[] = [];
  while (value > 0x7f) {
    out.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  out.push(value);
  const bytes = new Uint8Array(out.length + tail.byteLength);
  bytes.set(out);
  bytes.set(tail, out.length);
  return bytes;
}

const bytesFields = new WeakMap<DescMessage, readonly DescField[]>();

/**
 * Whether one of `fields` (from {@link bytesFieldsOf}) of `message` holds at least `minBytes`, i.e.
 * whether {@link encodeWithLargeBytes} would encode it as chunks.
 * @private
 */
export function holdsLargeBytes(fields: readonly DescField[], message: unknown, minBytes: number): boolean {
  const values = message as Record<string, unknown>;
  for (let i = 0; i < fields.length; i++) {
    if (isLargeBytes(values[(fields[i] as DescField).localName], minBytes)) return true;
  }
  return false;
}

/** Whether a `bytes` field's value is sent by reference: at least `minBytes`. */
function isLargeBytes(value: unknown, minBytes: number): boolean {
  return value instanceof Uint8Array && value.byteLength >= minBytes;
}

/**
 * The fields of `schema` that may be sent by reference (top-level `bytes`, implicit presence, no
 * oneof), found once per schema.
 * @private
 */
export function bytesFieldsOf(schema: DescMessage): readonly DescField[] {
  let fields = bytesFields.get(schema);
  if (fields === undefined) {
    fields = schema.fields.filter((f) => f.fieldKind === "scalar" && f.scalar === ScalarType.BYTES && f.oneof === undefined && f.presence === implicitPresence);
    bytesFields.set(schema, fields);
  }
  return fields;
}

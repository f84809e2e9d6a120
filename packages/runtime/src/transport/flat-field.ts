// The fields of "flat" protobuf messages (proto3 singular 32-bit scalars, strings, bytes and enums)
// as the flat codec and its compiled decoders see them (kind, number, tag), and their strict UTF-8.
import { ScalarType, type DescField } from "@bufbuild/protobuf";

/** One field as the codec sees it. @private */
export interface FlatField {
  readonly name: string;
  readonly number: number;
  readonly kind: Kind;
  /** The tag byte(s) of this field with its wire type, as written. */
  readonly tag: Buffer;
}

/** How a field's value is written: varint (bool, int32, uint32, sint32, enum), 32-bit, 64-bit, length-delimited. @private */
export type Kind = "bool" | "int32" | "uint32" | "sint32" | "fixed32" | "sfixed32" | "float" | "double" | "string" | "bytes";

const kindOfScalar: Partial<Record<ScalarType, Kind>> = {
  [ScalarType.BOOL]: "bool",
  [ScalarType.INT32]: "int32",
  [ScalarType.UINT32]: "uint32",
  [ScalarType.SINT32]: "sint32",
  [ScalarType.FIXED32]: "fixed32",
  [ScalarType.SFIXED32]: "sfixed32",
  [ScalarType.FLOAT]: "float",
  [ScalarType.DOUBLE]: "double",
  [ScalarType.STRING]: "string",
  [ScalarType.BYTES]: "bytes",
};

/** FeatureSet.FieldPresence.IMPLICIT: a default value is not written (proto3). */
const IMPLICIT = 2;

/** The wire type a field of `kind` is written with. @private */
export function wireTypeOf(kind: Kind): number {
  switch (kind) {
    case "fixed32":
    case "sfixed32":
    case "float":
      return 5;
    case "double":
      return 1;
    case "string":
    case "bytes":
      return 2;
    default:
      return 0;
  }
}

/** The field as the codec handles it, or undefined when it does not. @private */
export function flatField(field: DescField): FlatField | undefined {
  if (field.oneof !== undefined || field.presence !== IMPLICIT) return undefined;
  const kind = field.fieldKind === "enum" ? "int32" : field.fieldKind === "scalar" ? kindOfScalar[field.scalar] : undefined;
  if (kind === undefined) return undefined;
  const tag: number[] = [];
  // Unsigned: a field number of 2^28 or more fills all 32 bits of the tag.
  let value = ((field.number << 3) | wireTypeOf(kind)) >>> 0;
  while (value > 0x7f) {
    tag.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  tag.push(value);
  return { name: field.localName, number: field.number, kind, tag: Buffer.from(tag) };
}

const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 text of `bytes`, or undefined when they are not valid UTF-8 (the generic path reports it). @private */
export function textOf(bytes: Uint8Array): string | undefined {
  if (bytes.byteLength === 0) return "";
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

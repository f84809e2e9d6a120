// The request part of a cache key: a deterministic text encoding of a request message, or of its
// init shape, compiled once per message type; no binary encoding and no message creation per call.
import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { isWrapperDesc } from "@bufbuild/protobuf/wkt";

/** Encodes one present (non-null) value, self-delimited. */
type ValueText = (value: unknown) => string;
/** Encodes one field of a message as `<number>=<value>`, or "" when the field is unset. */
type FieldText = (message: Record<string, unknown>) => string;

/** `FieldPresence.IMPLICIT` of the protobuf feature set (proto3 singular scalars). */
const IMPLICIT = 2;
const hasOwn = (object: object, name: string): boolean => Object.prototype.hasOwnProperty.call(object, name);

/** Node's one-char-per-byte string of a byte range, far faster than `String.fromCharCode` on long bytes. */
const latin1Slice = (globalThis as { Buffer?: { prototype: { latin1Slice?: (this: Uint8Array, start: number, end: number) => string } } }).Buffer?.prototype.latin1Slice;

/** Bytes as one char per byte, length-prefixed (`number[]` as the init shape allows). */
function bytesText(value: unknown): string {
  const bytes = value as Uint8Array | readonly number[];
  const n = bytes.length;
  if (latin1Slice !== undefined && bytes instanceof Uint8Array && n > 16) return `${n}:${latin1Slice.call(bytes, 0, n)}`;
  let text = "";
  for (let i = 0; i < n; i += 4096) {
    const chunk = bytes instanceof Uint8Array ? bytes.subarray(i, i + 4096) : bytes.slice(i, i + 4096);
    text += String.fromCharCode.apply(null, chunk as unknown as number[]);
  }
  return `${n}:${text}`;
}

const stringText: ValueText = (v) => `${(v as string).length}:${v as string}`;
const boolText: ValueText = (v) => (v === true ? "t" : "f");
const intText: ValueText = (v) => `${String(v)};`;
const doubleText: ValueText = (v) => (Object.is(v, -0) ? "-0;" : `${String(v)};`);
const floatText: ValueText = (v) => doubleText(Math.fround(v as number));
/** A 64-bit integer (bigint, number or decimal string) reduced as the wire reduces it. */
const int64Text = (unsigned: boolean): ValueText => (v) => {
  if (typeof v === "number" && Number.isSafeInteger(v) && (v >= 0 || !unsigned)) return `${v};`;
  const big = BigInt(v as bigint | number | string);
  return `${(unsigned ? BigInt.asUintN(64, big) : BigInt.asIntN(64, big)).toString()};`;
};

function scalarText(type: ScalarType): ValueText {
  switch (type) {
    case ScalarType.STRING:
      return stringText;
    case ScalarType.BYTES:
      return bytesText;
    case ScalarType.BOOL:
      return boolText;
    case ScalarType.DOUBLE:
      return doubleText;
    case ScalarType.FLOAT:
      return floatText;
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return int64Text(false);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return int64Text(true);
    default:
      return intText;
  }
}

/** Whether a present implicit-presence scalar holds its zero value (which the wire omits). */
function isZero(type: ScalarType, value: unknown): boolean {
  switch (type) {
    case ScalarType.STRING:
      return value === "";
    case ScalarType.BYTES:
      return (value as ArrayLike<number>).length === 0;
    case ScalarType.BOOL:
      return value === false;
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return value === 0 && !Object.is(value, -0);
    default:
      // 64-bit integers may be bigint, number or string.
      return value === 0 || value === 0n || value === "0";
  }
}

/** A JSON value (a `google.protobuf.Struct` field) with sorted object keys. */
function jsonText(value: unknown): string {
  if (value === null) return "z";
  switch (typeof value) {
    case "boolean":
      return value ? "t" : "f";
    case "number":
      return `n${String(value)};`;
    case "string":
      return `s${value.length}:${value}`;
    case "object": {
      if (Array.isArray(value)) return `[${value.map(jsonText).join("")}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let text = "{";
      for (const k of keys) text += `${k.length}:${k}${jsonText(record[k])}`;
      return `${text}}`;
    }
    default:
      throw new TypeError(`cannot key a ${typeof value} in a JSON value`);
  }
}

/** Unknown fields (and extensions) a decoded message carries in `$unknown`. */
function unknownText(message: Record<string, unknown>): string {
  const unknown = message.$unknown as ReadonlyArray<{ no: number; wireType: number; data: Uint8Array }> | undefined;
  if (unknown === undefined || unknown.length === 0) return "";
  let text = "?[";
  for (const u of unknown) text += `${u.no},${u.wireType},${bytesText(u.data)}`;
  return `${text}]`;
}

const compiled = new WeakMap<DescMessage, ValueText>();

/** The encoder of a message type, compiled on first use (recursive types resolve lazily). */
function messageText(desc: DescMessage): ValueText {
  let encode = compiled.get(desc);
  if (encode === undefined) {
    let fields: FieldText[] | undefined;
    encode = (value) => {
      fields ??= desc.members.map((member) => (member.kind === "oneof" ? oneofText(member.localName, member.fields) : fieldText(member)));
      const message = value as Record<string, unknown>;
      let text = "{";
      for (let i = 0; i < fields.length; i++) text += fields[i]!(message);
      return `${text}${unknownText(message)}}`;
    };
    compiled.set(desc, encode);
  }
  return encode;
}

/** The value encoder of a singular field, a list item or a map value of `field`'s type. */
function valueText(field: DescField): ValueText {
  let message: DescMessage;
  switch (field.fieldKind) {
    case "scalar":
      return scalarText(field.scalar);
    case "enum":
      return intText;
    case "message":
      message = field.message;
      break;
    case "list":
      if (field.listKind === "message") message = field.message;
      else return field.listKind === "enum" ? intText : scalarText(field.scalar);
      break;
    case "map":
      if (field.mapKind === "message") message = field.message;
      else return field.mapKind === "enum" ? intText : scalarText(field.scalar);
      break;
  }
  const encode = messageText(message);
  const isMessageObject = (v: unknown): boolean => typeof v === "object" && v !== null && "$typeName" in v;
  if (message.typeName === "google.protobuf.Struct" && field.parent.typeName !== "google.protobuf.Value") {
    // Struct values are held as a JsonObject (a Struct message is keyed as a message).
    return (v) => (isMessageObject(v) ? encode(v) : `j${jsonText(v)}`);
  }
  if (field.fieldKind === "message" && field.oneof === undefined && isWrapperDesc(message)) {
    // A singular wrapper field holds the wrapped scalar itself (a wrapper message is keyed as a message).
    const wrapped = scalarText(message.fields[0]!.scalar as ScalarType);
    return (v) => (isMessageObject(v) ? encode(v) : `w${wrapped(v)}`);
  }
  return encode;
}

/** The encoder of one field outside a oneof. */
function fieldText(field: DescField): FieldText {
  const name = field.localName;
  const no = field.number;
  switch (field.fieldKind) {
    case "list": {
      const item = valueText(field);
      return (m) => {
        const list = m[name] as readonly unknown[] | null | undefined;
        if (list == null || list.length === 0) return "";
        let text = `${no}=[`;
        for (let i = 0; i < list.length; i++) text += item(list[i]);
        return `${text}]`;
      };
    }
    case "map": {
      const item = valueText(field);
      return (m) => {
        const map = m[name] as Record<string, unknown> | null | undefined;
        if (map == null) return "";
        const keys = Object.keys(map);
        if (keys.length === 0) return "";
        keys.sort();
        let text = `${no}=<`;
        for (const k of keys) text += `${k.length}:${k}${item(map[k])}`;
        return `${text}>`;
      };
    }
    case "message": {
      const value = valueText(field);
      return (m) => {
        const v = m[name];
        return v == null ? "" : `${no}=${value(v)}`;
      };
    }
    default: {
      const value = valueText(field);
      if (field.presence === IMPLICIT) {
        const scalar = field.fieldKind === "scalar" ? field.scalar : undefined;
        const zeroEnum = field.fieldKind === "enum" ? (field.enum.values[0]?.number ?? 0) : 0;
        return (m) => {
          const v = m[name];
          if (v == null || (scalar === undefined ? v === zeroEnum : isZero(scalar, v))) return "";
          return `${no}=${value(v)}`;
        };
      }
      // Explicit presence: proto2 messages keep defaults on their prototype, so only own values count.
      return (m) => {
        const v = m[name];
        return v == null || !hasOwn(m, name) ? "" : `${no}=${value(v)}`;
      };
    }
  }
}

/** The encoder of a oneof group `{ case, value }`: the selected field's number and value. */
function oneofText(name: string, fields: readonly DescField[]): FieldText {
  const cases = new Map<string, { readonly no: number; readonly value: ValueText }>();
  for (const field of fields) cases.set(field.localName, { no: field.number, value: valueText(field) });
  return (m) => {
    const group = m[name] as { case?: string | null; value?: unknown } | null | undefined;
    if (group == null || group.case == null) return "";
    const selected = cases.get(group.case);
    if (selected === undefined) throw new TypeError(`unknown case "${group.case}" of oneof ${name}`);
    return `${selected.no}=${group.value == null ? "_" : selected.value(group.value)}`;
  };
}

/**
 * Returns the key encoder of request type `desc`: equal requests (a message, or the init object a
 * caller passes) get equal text; requests that differ on the wire get different text, given the
 * type (map entries are sorted, 64-bit integers and floats reduced as the wire reduces them,
 * fields with implicit presence keyed only when not zero, unknown fields included). Throws on a
 * value the message could not be encoded from (the call itself would fail too).
 *
 * @example
 * const key = requestKeyEncoder(GetItemRequestSchema);
 * key({ sku: "a-1" }) === key(create(GetItemRequestSchema, { sku: "a-1" })); // true
 */
export function requestKeyEncoder(desc: DescMessage): (request: unknown) => string {
  return messageText(desc);
}

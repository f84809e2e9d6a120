// A decoder made for one flat message type: JavaScript source written from its fields once and
// compiled with `new Function`, so each field is a `case` of its own tag and each message one literal.
import { create, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { textOf, wireTypeOf, type FlatField, type Kind } from "./flat-field.js";

/** Decodes `bytes[start, end)` into a message, or undefined for what the generic path must take. @private */
export type FlatDecode<D extends DescMessage> = (bytes: Uint8Array, start: number, end: number) => MessageShape<D> | undefined;

/** The largest tag a 4-byte varint holds: longer tags are left to the generic path, as the flat codec does. */
const maxTag = 2 ** 28 - 1;

/** What the compiled source calls: UTF-8 text (undefined when invalid) and little-endian floats. */
const helpers = {
  text(bytes: Uint8Array, start: number, end: number): string | undefined {
    return textOf(bytes.subarray(start, end));
  },
  float(bytes: Uint8Array, at: number): number {
    return new DataView(bytes.buffer, bytes.byteOffset + at, 4).getFloat32(0, true);
  },
  double(bytes: Uint8Array, at: number): number {
    return new DataView(bytes.buffer, bytes.byteOffset + at, 8).getFloat64(0, true);
  },
};

/** The value a field of `kind` has when it is absent (bytes: a new empty array per message, as create() gives). */
function zeroOf(kind: Kind, variable: string): string {
  switch (kind) {
    case "bool":
      return "false";
    case "string":
      return '""';
    case "bytes":
      return `(${variable} === undefined ? new Uint8Array(0) : ${variable})`;
    default:
      return "0";
  }
}

/** Source reading a varint of at most 4 bytes (28 bits) into `target`; returns undefined past `end` or when longer. */
function readVarint28(target: string): string {
  return `{ let shift = 0, b; ${target} = 0; do { if (at >= end || shift === 28) return undefined; b = bytes[at++]; ${target} |= (b & 0x7f) << shift; shift += 7; } while (b >= 0x80); }`;
}

/**
 * Source of one field's `case`: reads its value into `variable` (anything it cannot read: return
 * undefined); none for a tag over 28 bits, which never matches.
 */
function caseOf(field: FlatField, variable: string): string | undefined {
  const tag = ((field.number << 3) | wireTypeOf(field.kind)) >>> 0;
  if (tag > maxTag) return undefined;
  switch (field.kind) {
    case "string":
    case "bytes": {
      const value = field.kind === "bytes" ? "bytes.subarray(at, at + length)" : "h.text(bytes, at, at + length)";
      const check = field.kind === "string" ? ` if (${variable} === undefined) return undefined;` : "";
      return `case ${tag}: { let length; ${readVarint28("length")} if (at + length > end) return undefined; ${variable} = ${value};${check} at += length; break; }`;
    }
    case "fixed32":
    case "sfixed32": {
      const word = "(bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24))";
      return `case ${tag}: { if (at + 4 > end) return undefined; ${variable} = ${word}${field.kind === "fixed32" ? " >>> 0" : " | 0"}; at += 4; break; }`;
    }
    case "float":
      return `case ${tag}: { if (at + 4 > end) return undefined; ${variable} = h.float(bytes, at); at += 4; break; }`;
    case "double":
      return `case ${tag}: { if (at + 8 > end) return undefined; ${variable} = h.double(bytes, at); at += 8; break; }`;
    default: {
      // Up to 10 bytes; the low 32 bits are the value (int32 and enums are sign-extended), any bit set makes a bool true.
      const value =
        field.kind === "bool" ? "any !== 0" : field.kind === "uint32" ? "low >>> 0" : field.kind === "sint32" ? "(low >>> 1) ^ -(low & 1)" : "low | 0";
      return (
        `case ${tag}: { let low = 0, any = 0, shift = 0, count = 0, b; ` +
        `do { if (at >= end || count === 10) return undefined; b = bytes[at++]; if (shift < 32) low |= (b & 0x7f) << shift; any |= b & 0x7f; shift += 7; count++; } while (b >= 0x80); ` +
        `${variable} = ${value}; break; }`
      );
    }
  }
}

/** The compiled decoder's source: a function of (bytes, start, end) over the helpers `h`. */
function sourceOf(schema: DescMessage, fields: readonly FlatField[]): string {
  const variables = fields.map((_, i) => `v${i}`);
  const declarations = fields.map((f, i) => `let ${variables[i]}${f.kind === "bytes" ? "" : ` = ${zeroOf(f.kind, "")}`};`).join(" ");
  const cases = fields.flatMap((f, i) => caseOf(f, variables[i] as string) ?? []);
  // Property names and the type name are JSON string literals: nothing from a descriptor is code.
  const members = fields.map((f, i) => `${JSON.stringify(f.name)}: ${f.kind === "bytes" ? zeroOf(f.kind, variables[i] as string) : variables[i]}`);
  const literal = `{ "$typeName": ${JSON.stringify(schema.typeName)}${members.map((m) => `, ${m}`).join("")} }`;
  return [
    `"use strict";`,
    `return function decode(bytes, start, end) {`,
    `  ${declarations}`,
    `  let at = start;`,
    `  while (at < end) {`,
    `    let tag; ${readVarint28("tag")}`,
    `    switch (tag) {`,
    ...cases.map((c) => `      ${c}`),
    `      default: return undefined;`,
    `    }`,
    `  }`,
    `  return ${literal};`,
    `};`,
  ].join("\n");
}

/**
 * Whether `create(schema)` makes exactly the object the compiled decoder's literal does for an empty
 * message: a plain object with `$typeName`, then `fields` in order, each at its zero value (and no
 * field a literal could not name).
 */
function literalMatchesCreate(schema: DescMessage, fields: readonly FlatField[]): boolean {
  // In an object literal "__proto__" sets the prototype instead of making a property.
  if (fields.some((f) => f.name === "__proto__")) return false;
  const zero = create(schema) as Record<string, unknown>;
  if (Object.getPrototypeOf(zero) !== Object.prototype) return false;
  const keys = Object.keys(zero);
  if (keys.length !== fields.length + 1 || keys[0] !== "$typeName") return false;
  return fields.every((f, i) => {
    const value = zero[f.name];
    if (keys[i + 1] !== f.name) return false;
    if (f.kind === "bytes") return value instanceof Uint8Array && value.byteLength === 0;
    return Object.is(value, f.kind === "bool" ? false : f.kind === "string" ? "" : 0);
  });
}

/**
 * A decoder compiled for `schema`'s `fields` (all of its fields, in declaration order): the same
 * results as the flat codec's generic decoder — the message create() and the field values would
 * make, or undefined for an unknown field, a field with another wire type, a malformed varint or
 * length, invalid UTF-8 — at about half its cost per message (no Map lookup per field, no create()
 * per message, no keyed store whose names vary). Undefined when this process does not allow code
 * generation from strings (`--disallow-code-generation-from-strings`) or when create() makes a
 * message of another shape: the caller keeps the generic decoder then. @private
 */
export function compileFlatDecoder<D extends DescMessage>(schema: D, fields: readonly FlatField[]): FlatDecode<D> | undefined {
  if (!literalMatchesCreate(schema, fields)) return undefined;
  try {
    const factory = new Function("h", sourceOf(schema, fields)) as (h: typeof helpers) => FlatDecode<D>;
    return factory(helpers);
  } catch (error) {
    if (error instanceof EvalError) return undefined;
    throw error;
  }
}

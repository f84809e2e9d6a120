// An encoder made for one flat message type: the flat codec's loop over fields unrolled into
// JavaScript written from its fields once and compiled with `new Function`, each value read by name.
import type { FlatField, Kind } from "./flat-field.js";

/** The flat codec's rules for one value, which the compiled source calls with each field's kind as a constant. @private */
export interface FlatEncodeRules {
  /** Whether `value` has the type a field of `kind` holds (else the generic path takes the message). */
  typeFits(kind: Kind, value: unknown): boolean;
  /** Whether `value` is the field's default, which proto3 does not write. */
  isDefault(kind: Kind, value: unknown): boolean;
  /** The varint a varint field of `kind` writes for `value`. */
  varintOf(kind: Kind, value: number | boolean): number;
  /** Bytes of `value` as a varint. */
  varintSize(value: number): number;
  /** Writes `value` as a varint at `at`; returns where it ended. */
  writeVarint(out: Buffer, at: number, value: number): number;
}

/** Encodes a message or init shape behind `headroom` unwritten bytes, or undefined for the generic path. @private */
export type FlatEncode = (message: unknown, headroom: number) => Buffer | undefined;

/** Source adding the encoded size of field `i` (value `v{i}`, set and not default) to `size`, keeping its varint or length in `n{i}`. */
function sizeOf(field: FlatField, i: number, tagLength: number): string {
  const kind = JSON.stringify(field.kind);
  switch (field.kind) {
    case "string":
      return `n${i} = Buffer.byteLength(v${i}, "utf8"); size += ${tagLength} + r.varintSize(n${i}) + n${i};`;
    case "bytes":
      return `n${i} = v${i}.byteLength; size += ${tagLength} + r.varintSize(n${i}) + n${i};`;
    case "fixed32":
    case "sfixed32":
    case "float":
      return `size += ${tagLength + 4};`;
    case "double":
      return `size += ${tagLength + 8};`;
    default:
      return `n${i} = r.varintOf(${kind}, v${i}); size += ${tagLength} + r.varintSize(n${i});`;
  }
}

/** Source writing field `i`'s value after its tag. */
function writeOf(field: FlatField, i: number): string {
  switch (field.kind) {
    case "string":
      return `at = r.writeVarint(out, at, n${i}); at += out.write(v${i}, at, "utf8");`;
    case "bytes":
      return `at = r.writeVarint(out, at, n${i}); out.set(v${i}, at); at += n${i};`;
    case "fixed32":
      return `at = out.writeUInt32LE(v${i} >>> 0, at);`;
    case "sfixed32":
      return `at = out.writeInt32LE(v${i} | 0, at);`;
    case "float":
      return `at = out.writeFloatLE(v${i}, at);`;
    case "double":
      return `at = out.writeDoubleLE(v${i}, at);`;
    default:
      return `at = r.writeVarint(out, at, n${i});`;
  }
}

/** The compiled encoder's source: a function of (message, headroom) over the rules `r`. */
function sourceOf(fields: readonly FlatField[]): string {
  const sorted = [...fields].sort((a, b) => a.number - b.number);
  const lines = [`"use strict";`, `return function encode(m, headroom) {`, `  if (m.$unknown !== undefined && m.$unknown.length > 0) return undefined;`, `  let size = 0;`];
  sorted.forEach((f, i) => {
    const kind = JSON.stringify(f.kind);
    // The property name is a JSON string literal: nothing from a descriptor is code.
    lines.push(
      `  let v${i} = m[${JSON.stringify(f.name)}], n${i} = 0;`,
      `  if (v${i} === undefined || v${i} === null) v${i} = undefined;`,
      `  else if (!r.typeFits(${kind}, v${i})) return undefined;`,
      `  else if (r.isDefault(${kind}, v${i})) v${i} = undefined;`,
      `  else { ${sizeOf(f, i, f.tag.byteLength)} }`,
    );
  });
  lines.push(`  const out = Buffer.allocUnsafe(headroom + size);`, `  let at = headroom;`);
  sorted.forEach((f, i) => {
    const tag = [...f.tag].map((b) => `out[at++] = ${b};`).join(" ");
    lines.push(`  if (v${i} !== undefined) { ${tag} ${writeOf(f, i)} }`);
  });
  lines.push(`  return out;`, `};`);
  return lines.join("\n");
}

/**
 * An encoder compiled for `fields` (all of a flat message's fields) that writes exactly what the flat
 * codec's loop over them writes, by the same rules for each value — and leaves to the generic path
 * what it leaves (unknown fields, a value of another type) — without the loop: each field's value is
 * read by its own name (not a keyed load whose name varies), its tag written as constants, and no
 * scratch arrays. Undefined when this process does not allow code generation from strings; the
 * caller keeps the loop then. @private
 */
export function compileFlatEncoder(fields: readonly FlatField[], rules: FlatEncodeRules): FlatEncode | undefined {
  try {
    const factory = new Function("r", sourceOf(fields)) as (r: FlatEncodeRules) => FlatEncode;
    return factory(rules);
  } catch (error) {
    if (error instanceof EvalError) return undefined;
    throw error;
  }
}

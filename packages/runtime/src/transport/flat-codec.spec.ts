import { create, createFileRegistry, fromBinary, toBinary, type DescMessage } from "@bufbuild/protobuf";
import { DurationSchema, FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema, StringValueSchema } from "@bufbuild/protobuf/wkt";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { flatCodecOf, newFlatCodec } from "./flat-codec.js";
import { compileFlatDecoder } from "./compiled-flat-decoder.js";
import { flatField, type FlatField } from "./flat-field.js";
import { parse, serialize, serializeEnvelope } from "./codec.js";

const T = FieldDescriptorProto_Type;
/** A proto3 message with one field of every kind the flat codec takes, and one it does not. */
const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "flat.proto",
    package: "t",
    syntax: "proto3",
    enumType: [{ name: "Color", value: [{ name: "COLOR_UNSPECIFIED", number: 0 }, { name: "COLOR_RED", number: 1 }] }],
    messageType: [
      {
        name: "Flat",
        field: [
          { name: "b", number: 1, type: T.BOOL },
          { name: "i", number: 2, type: T.INT32 },
          { name: "u", number: 3, type: T.UINT32 },
          { name: "s", number: 4, type: T.SINT32 },
          { name: "f32", number: 5, type: T.FIXED32 },
          { name: "sf32", number: 6, type: T.SFIXED32 },
          { name: "fl", number: 7, type: T.FLOAT },
          { name: "d", number: 8, type: T.DOUBLE },
          { name: "str", number: 9, type: T.STRING },
          { name: "by", number: 10, type: T.BYTES },
          { name: "color", number: 11, type: T.ENUM, typeName: ".t.Color" },
          { name: "far", number: 300_000, type: T.STRING },
        ].map((f) => ({ ...f, label: FieldDescriptorProto_Label.OPTIONAL, jsonName: f.name })),
      },
      { name: "Listy", field: [{ name: "xs", number: 1, type: T.INT32, label: FieldDescriptorProto_Label.REPEATED, jsonName: "xs" }] },
      // The largest field number: its tag needs all 32 bits (five varint bytes).
      { name: "Far", field: [{ name: "s", number: 536_870_911, type: T.STRING, label: FieldDescriptorProto_Label.OPTIONAL, jsonName: "s" }] },
    ],
  }),
  () => undefined,
);
const Flat = registry.getMessage("t.Flat") as DescMessage;
const Listy = registry.getMessage("t.Listy") as DescMessage;
const Far = registry.getMessage("t.Far") as DescMessage;
const codecOptions = { readMaxBytes: 1 << 20, writeMaxBytes: 1 << 20 };

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Flat message with each field set or left default at random, values at the edges of their ranges. */
function randomFlat(next: () => number): Record<string, unknown> {
  const pick = <T>(values: T[]): T => values[Math.floor(next() * values.length)] as T;
  return {
    b: pick([false, true]),
    i: pick([0, 1, -1, 127, 128, 2 ** 31 - 1, -(2 ** 31), Math.floor(next() * 2 ** 32) - 2 ** 31]),
    u: pick([0, 1, 127, 128, 16_383, 16_384, 2 ** 32 - 1, Math.floor(next() * 2 ** 32)]),
    s: pick([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), -64, 64]),
    f32: pick([0, 1, 2 ** 32 - 1]),
    sf32: pick([0, -1, 2 ** 31 - 1, -(2 ** 31)]),
    fl: pick([0, 1.5, -2.25, Number.POSITIVE_INFINITY]),
    d: pick([0, -0, Math.PI, -1e300, Number.NaN]),
    str: pick(["", "a", "héllo wörld ✓", "x".repeat(200)]),
    by: pick([new Uint8Array(0), new Uint8Array([0, 255]), new Uint8Array(300).fill(7)]),
    color: pick([0, 1, 5]),
    far: pick(["", "far"]),
  };
}

describe("flat codec", () => {
  it("takes proto3 messages of singular 32-bit scalars, strings, bytes and enums, and no others", () => {
    expect(flatCodecOf(Flat)).toBeDefined();
    expect(flatCodecOf(StringValueSchema)).toBeDefined();
    expect(flatCodecOf(Listy)).toBeUndefined();
    expect(flatCodecOf(DurationSchema)).toBeUndefined(); // int64 seconds
  });

  it("writes the bytes protobuf-es writes and reads back what protobuf-es reads, for 500 random messages", () => {
    const next = random(12);
    const codec = flatCodecOf(Flat)!;
    for (let n = 0; n < 500; n++) {
      const message = create(Flat, randomFlat(next) as never);
      const expected = toBinary(Flat, message);
      const encoded = codec.encode(message, 3)!;
      expect([...encoded.subarray(3)]).toEqual([...expected]);
      expect(codec.decode(expected)).toEqual(fromBinary(Flat, expected));
    }
  });

  it("decodes and encodes with code compiled for the schema: create()'s keys in create()'s order, protobuf-es's bytes", () => {
    const fields = Flat.fields.map(flatField) as FlatField[];
    expect(compileFlatDecoder(Flat, fields)).toBeDefined();
    // Names a literal cannot give create()'s object (here also not create()'s keys): no compiled decoder.
    expect(compileFlatDecoder(Flat, [{ ...fields[0]!, name: "__proto__" }, ...fields.slice(1)])).toBeUndefined();
    expect(compileFlatDecoder(Flat, fields.slice(1))).toBeUndefined();
    const next = random(5);
    const [compiled, generic] = [newFlatCodec(Flat, true)!, newFlatCodec(Flat, false)!];
    expect([compiled.encode.name, generic.encode.name]).toEqual(["encode", "loop"]); // compiled-flat-encoder.ts's, the codec's own
    for (let n = 0; n < 200; n++) {
      const message = create(Flat, randomFlat(next) as never);
      const bytes = toBinary(Flat, message);
      const expected = fromBinary(Flat, bytes);
      for (const decoded of [compiled.decode(bytes), generic.decode(bytes), flatCodecOf(Flat)!.decode(bytes)]) {
        expect(decoded).toEqual(expected);
        expect(Object.keys(decoded!)).toEqual(Object.keys(expected));
      }
      // The compiled encoder and the loop write the same bytes as protobuf-es.
      for (const codec of [compiled, generic]) expect([...codec.encode(message, 2)!.subarray(2)]).toEqual([...bytes]);
    }
    // A range inside a larger buffer, and a bytes field left out: a new empty array per message.
    const inner = toBinary(Flat, create(Flat, { str: "mid", u: 7 } as never));
    const framed = new Uint8Array([9, 9, ...inner, 9]);
    const first = compiled.decode(framed, 2, 2 + inner.byteLength) as Record<string, unknown>;
    const second = compiled.decode(framed, 2, 2 + inner.byteLength) as Record<string, unknown>;
    expect(first).toEqual(fromBinary(Flat, inner));
    expect(first.by).not.toBe(second.by);
  });

  it.each([
    ["compiled", true],
    ["generic", false],
  ])("writes the five-byte tag of the largest field number as protobuf-es does (%s encoder)", (_, compile) => {
    const message = create(Far, { s: "x" } as never);
    expect([...newFlatCodec(Far, compile)!.encode(message, 0)!]).toEqual([...toBinary(Far, message)]);
  });

  it.each([
    ["compiled", true],
    ["generic", false],
  ])("encodes an init shape with fields left out as create() would fill them (%s encoder)", (_, compile) => {
    const codec = newFlatCodec(Flat, compile)!;
    const init = { str: "x", i: -5 };
    expect([...codec.encode(init, 0)!]).toEqual([...toBinary(Flat, create(Flat, init as never))]);
  });

  it.each([
    ["compiled", true],
    ["generic", false],
  ])("leaves to the generic path a value of the wrong type, unknown fields, and bytes it cannot read (%s encoder and decoder)", (_, compile) => {
    const codec = newFlatCodec(Flat, compile)!;
    expect(codec.encode({ i: "7" }, 0)).toBeUndefined();
    expect(codec.encode({ u: -1 }, 0)).toBeUndefined();
    expect(codec.encode({ i: 1.5 }, 0)).toBeUndefined();
    const withUnknown = fromBinary(Flat, new Uint8Array([0xa0, 0x06, 0x01])); // field 100, varint 1
    expect(withUnknown.$unknown?.length).toBe(1);
    expect(codec.encode(withUnknown, 0)).toBeUndefined();
    expect(codec.decode(new Uint8Array([0xa0, 0x06, 0x01]))).toBeUndefined(); // unknown field
    expect(codec.decode(new Uint8Array([0x08]))).toBeUndefined(); // truncated varint
    expect(codec.decode(new Uint8Array([0x4a, 0x05, 0x61]))).toBeUndefined(); // string longer than the bytes
    expect(codec.decode(new Uint8Array([0x4a, 0x01, 0xff]))).toBeUndefined(); // invalid UTF-8
    expect(codec.decode(new Uint8Array([0x08 | 2, 0x00]))).toBeUndefined(); // bool with the length-delimited wire type
    expect(codec.decode(new Uint8Array([0x08, ...new Array<number>(10).fill(0x80), 0x01]))).toBeUndefined(); // an 11-byte varint
    expect(codec.decode(new Uint8Array([0xf8, 0xff, 0xff, 0xff, 0x7f, 0x00]))).toBeUndefined(); // a tag over 4 bytes
    expect(codec.decode(new Uint8Array([0x2d, 0x01, 0x02]))).toBeUndefined(); // fixed32 cut short
  });

  it.each([
    ["compiled", true],
    ["generic", false],
  ])("reads a bool written as a varint whose low 32 bits are zero as true, as protobuf-es does (%s decoder)", (_, compile) => {
    const bytes = new Uint8Array([0x08, 0x80, 0x80, 0x80, 0x80, 0x10]); // 2^32
    expect(newFlatCodec(Flat, compile)!.decode(bytes)).toEqual(fromBinary(Flat, bytes));
  });

  it("encodes and decodes with the loop and the generic decoder in a process that does not allow code generation from strings", () => {
    // A real node process with --disallow-code-generation-from-strings, running the built module.
    const built = join(__dirname, "../../dist/transport/flat-codec.js");
    const script = [
      `const { create, toBinary, fromBinary } = await import("@bufbuild/protobuf");`,
      `const { StringValueSchema } = await import("@bufbuild/protobuf/wkt");`,
      `const { flatCodecOf } = await import(${JSON.stringify(built)});`,
      `const bytes = toBinary(StringValueSchema, create(StringValueSchema, { value: "hi" }));`,
      `let compiles = true; try { new Function("return 1"); } catch { compiles = false; }`,
      `const encoded = [...flatCodecOf(StringValueSchema).encode({ value: "hi" }, 0)];`,
      `console.log(JSON.stringify({ compiles, decoded: flatCodecOf(StringValueSchema).decode(bytes), encoded }));`,
    ].join("\n");
    const run = spawnSync(process.execPath, ["--disallow-code-generation-from-strings", "--input-type=module", "-e", script], {
      cwd: join(__dirname, "../.."),
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ compiles: false, decoded: { $typeName: "google.protobuf.StringValue", value: "hi" }, encoded: [0x0a, 0x02, 0x68, 0x69] });
  });

  it("backs codec.ts: parse keeps unknown fields, serializeEnvelope frames in one buffer", () => {
    const withUnknown = new Uint8Array([0x4a, 0x01, 0x61, 0xa0, 0x06, 0x01]);
    const parsed = parse(Flat, withUnknown, codecOptions);
    expect(parsed).toEqual(fromBinary(Flat, withUnknown));
    expect([...serialize(Flat, parsed, codecOptions)]).toEqual([...withUnknown]);
    const frame = serializeEnvelope(StringValueSchema, { value: "hi" }, codecOptions);
    expect([...frame]).toEqual([0, 0, 0, 0, 4, 0x0a, 0x02, 0x68, 0x69]);
    expect(() => serializeEnvelope(StringValueSchema, { value: "x".repeat(10) }, { ...codecOptions, writeMaxBytes: 4 })).toThrow(
      "message size 12 is larger than configured writeMaxBytes 4",
    );
  });
});

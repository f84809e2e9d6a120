import fc from "fast-check";
import { create, equals, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { Color, ProbeSchema } from "../../../../test/cache/gen/keyprobe/v1/probe_pb.js";
import { LegacySchema } from "../../../../test/cache/gen/keyprobe/v1/legacy_pb.js";
import { requestKeyEncoder } from "./request-key.js";

type ProbeInit = MessageInitShape<typeof ProbeSchema>;
const key = requestKeyEncoder(ProbeSchema);
/** The three forms a request can reach the cache in: init object, message, decoded message. */
const forms = (init: ProbeInit) => {
  const message = create(ProbeSchema, init);
  return [init, message, fromBinary(ProbeSchema, toBinary(ProbeSchema, message))];
};

/** Probe init shapes nested `depth` deep, over small value domains when `small` (so that draws often coincide). */
function probeInit(small: boolean, depth = 2): fc.Arbitrary<ProbeInit> {
  const text = small ? fc.constantFrom("", "a", "ab") : fc.string({ unit: "grapheme", maxLength: 6 });
  const int = small ? fc.constantFrom(0, 1, -1) : fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  const int64 = small ? fc.constantFrom(0n, 1n, -1n) : fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
  const uint64 = small ? fc.constantFrom(0n, 1n) : fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
  const bytes = small ? fc.constantFrom(new Uint8Array(), new Uint8Array([0]), new Uint8Array([0, 255])) : fc.uint8Array({ maxLength: 8 });
  const double = small ? fc.constantFrom(0, 0.5, -2) : fc.double({ noNaN: true }).filter((d) => !Object.is(d, -0));
  const float = small ? fc.constantFrom(0, 0.5) : fc.float({ noNaN: true }).filter((d) => !Object.is(d, -0));
  const mapKey = (small ? fc.constantFrom("a", "b", "") : fc.string({ maxLength: 4 })).filter((k) => k !== "__proto__");
  const json = fc.dictionary(mapKey, fc.oneof(text, double, fc.boolean(), fc.constant(null)), { maxKeys: 2 });
  const child: fc.Arbitrary<ProbeInit> = depth === 0 ? fc.constant({}) : probeInit(small, depth - 1);
  return fc.record(
    {
      text,
      raw: bytes,
      flag: fc.boolean(),
      ratio: double,
      small: float,
      i32: int,
      s32: int,
      u32: int.map((n) => n >>> 0),
      i64: int64,
      u64: uint64,
      f64: uint64,
      i64Str: int64.map(String),
      color: fc.constantFrom(Color.UNSPECIFIED, Color.RED, Color.BLUE),
      maybe: int,
      maybeText: text,
      numbers: fc.array(int, { maxLength: 3 }),
      words: fc.array(text, { maxLength: 2 }),
      blobs: fc.array(bytes, { maxLength: 2 }),
      children: fc.array(child, { maxLength: 2 }),
      counts: fc.dictionary(mapKey, int, { maxKeys: 3 }),
      byId: fc.dictionary(int64.map(String), child, { maxKeys: 2 }),
      byFlag: fc.dictionary(fc.constantFrom("true", "false"), text, { maxKeys: 2 }),
      wrappedInt: int,
      wrappedText: text,
      wrappedRaw: bytes,
      attributes: json,
      nested: child,
      choice: fc.oneof(
        fc.record({ case: fc.constant("choiceText" as const), value: text }),
        fc.record({ case: fc.constant("choiceProbe" as const), value: child }),
        fc.record({ case: fc.constant("choiceNumber" as const), value: int64 }),
      ),
      colors: fc.array(fc.constantFrom(Color.RED, Color.BLUE), { maxLength: 2 }),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<ProbeInit>;
}

describe("requestKeyEncoder", () => {
  it("keys an init object, the message made from it and that message decoded from its bytes alike", () => {
    fc.assert(
      fc.property(probeInit(false), (init) => {
        const [a, b, c] = forms(init).map(key);
        expect(b).toBe(a);
        expect(c).toBe(a);
      }),
      { numRuns: 150, seed: 11 },
    );
  });

  it("gives two requests the same key exactly when they are equal messages", () => {
    const seen = { equal: 0, different: 0 };
    fc.assert(
      // b is a with some fields drawn again, so that it often equals a and often differs a little.
      fc.property(probeInit(true, 1), probeInit(true, 1), fc.subarray(ProbeSchema.members.map((m) => m.localName)), (a, redrawn, names) => {
        const b: Record<string, unknown> = { ...a };
        for (const name of names) b[name] = (redrawn as Record<string, unknown>)[name];
        const same = equals(ProbeSchema, create(ProbeSchema, a), create(ProbeSchema, b as ProbeInit));
        expect(key(a) === key(b)).toBe(same);
        seen[same ? "equal" : "different"]++;
      }),
      { numRuns: 800, seed: 12 },
    );
    // Both outcomes were exercised often.
    expect(Math.min(seen.equal, seen.different)).toBeGreaterThan(50);
  });

  it("ignores map insertion order and the representation of 64-bit integers", () => {
    expect(key({ counts: { a: 1, b: 2 } })).toBe(key({ counts: { b: 2, a: 1 } }));
    expect(key({ i64: 5n })).toBe(key({ i64: 5 as unknown as bigint }));
    expect(key({ i64: -1n })).toBe(key({ i64: "-1" as unknown as bigint }));
    expect(key({ i64: 0n })).toBe(key({}));
  });

  it("tells apart what the wire tells apart: presence, -0, empty oneof cases, field boundaries", () => {
    const distinct = [
      {},
      { maybe: 0 },
      { maybeText: "" },
      { ratio: -0 },
      { choice: { case: "choiceText" as const, value: "" } },
      { choice: { case: "choiceNumber" as const, value: 0n } },
      { words: ["ab"] },
      { words: ["a", "b"] },
      { text: "1=2:" },
      { text: "1", raw: new Uint8Array([0x32]) },
      { wrappedInt: 0 },
      { wrappedText: "" },
      { nested: {} },
      { i64: -1n },
      { u64: 2n ** 64n - 1n },
      { attributes: {} },
      { attributes: { a: null } },
      { attributes: { a: "null" } },
    ].map((init) => key(init));
    expect(new Set(distinct).size).toBe(distinct.length);
  });

  it("keys long bytes the same whichever way they are read, and apart when one byte differs", () => {
    const long = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 31) & 255);
    const changed = long.slice();
    changed[9_999] ^= 1;
    // A number[] (as the init shape allows) is read char by char, a long Uint8Array in one slice.
    expect(key({ raw: long })).toBe(key({ raw: Array.from(long) as unknown as Uint8Array }));
    expect(key({ raw: changed })).not.toBe(key({ raw: long }));
    expect(key({ blobs: [long.subarray(1)] })).toBe(key({ blobs: [Array.from(long.subarray(1)) as unknown as Uint8Array] }));
  });

  it("keys a proto2 field set to its default apart from the unset field (the prototype's default)", () => {
    const legacy = requestKeyEncoder(LegacySchema);
    const unset = create(LegacySchema, {});
    const atDefault = create(LegacySchema, { limit: 10, name: "all" });
    expect(unset.limit).toBe(10);
    expect(legacy(unset)).toBe(legacy({}));
    expect(legacy(atDefault)).toBe(legacy({ limit: 10, name: "all" }));
    expect(legacy(atDefault)).not.toBe(legacy(unset));
    expect(legacy(fromBinary(LegacySchema, toBinary(LegacySchema, atDefault)))).toBe(legacy(atDefault));
  });

  it("throws on a value no request could be encoded from", () => {
    expect(() => key({ i64: "twelve" as unknown as bigint })).toThrow();
    expect(() => key({ choice: { case: "nope", value: 1 } } as unknown as ProbeInit)).toThrow(/unknown case "nope"/);
  });
});

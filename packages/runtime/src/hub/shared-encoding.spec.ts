import { encodeShared, markPublished } from "./shared-encoding.js";

/** A serializer counting its calls; bytes are the value's `n` and the call number. */
function countingSerializer(): { serialize: (schema: object, value: unknown) => Uint8Array; calls: () => number } {
  let calls = 0;
  return {
    serialize: (_schema, value) => Uint8Array.of((value as { n: number }).n, ++calls),
    calls: () => calls,
  };
}

describe("encodeShared", () => {
  const schema = {};

  it("serializes a published value once for every caller with the same schema and serializer", () => {
    const { serialize, calls } = countingSerializer();
    const value = { n: 7 };
    markPublished(value);
    const first = encodeShared(value, schema, serialize);
    for (let i = 0; i < 999; i++) expect(encodeShared(value, schema, serialize)).toBe(first);
    expect(calls()).toBe(1);
    expect([...first]).toEqual([7, 1]);
  });

  it("serializes a value that was never published every time (a handler may change and send it again)", () => {
    const { serialize, calls } = countingSerializer();
    const value = { n: 1 };
    encodeShared(value, schema, serialize);
    value.n = 2;
    expect([...encodeShared(value, schema, serialize)]).toEqual([2, 2]);
    expect(calls()).toBe(2);
    expect([...encodeShared(3 as unknown, schema, (_s, v) => Uint8Array.of(v as number))]).toEqual([3]);
  });

  it("serializes again for another schema or serializer, and after the value is published again", () => {
    const a = countingSerializer();
    const b = countingSerializer();
    const value = { n: 5 };
    markPublished(value);
    encodeShared(value, schema, a.serialize);
    encodeShared(value, {}, a.serialize);
    encodeShared(value, schema, b.serialize);
    expect(a.calls() + b.calls()).toBe(3);
    value.n = 6;
    markPublished(value);
    expect([...encodeShared(value, schema, b.serialize)]).toEqual([6, 2]);
  });
});

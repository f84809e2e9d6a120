import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { AnySchema, UninterpretedOptionSchema } from "@bufbuild/protobuf/wkt";
import { encodeWithLargeBytes } from "./large-bytes.js";

const joined = (chunks: readonly Uint8Array[]): Uint8Array => Buffer.concat(chunks);
const patterned = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 13 + 5) & 0xff);

describe("encodeWithLargeBytes", () => {
  it("sends a large bytes field as its own chunk, by reference, after the rest of the message", () => {
    const value = patterned(70_000);
    const message = create(AnySchema, { typeUrl: "type.example/x", value });
    const encoded = encodeWithLargeBytes(AnySchema, message, 8192);
    expect(encoded).toBeDefined();
    expect(encoded!.chunks[encoded!.chunks.length - 1]).toBe(value);
    const bytes = joined(encoded!.chunks);
    expect(bytes.byteLength).toBe(encoded!.byteLength);
    // The same bytes protobuf-es writes, in the same order here: the large field is the last one.
    expect(Buffer.compare(bytes, toBinary(AnySchema, message))).toBe(0);
    expect(fromBinary(AnySchema, bytes)).toEqual(message);
    // The caller's message is left as it was.
    expect(message.value).toBe(value);
  });

  it("keeps unknown fields (written before the large field) and parses back to the same message", () => {
    const message = create(AnySchema, { typeUrl: "t", value: patterned(10_000) });
    message.$unknown = [{ no: 9, wireType: 0, data: new Uint8Array([0x05]) }];
    const encoded = encodeWithLargeBytes(AnySchema, message, 8192)!;
    const parsed = fromBinary(AnySchema, joined(encoded.chunks));
    expect(parsed.typeUrl).toBe("t");
    expect(Buffer.compare(parsed.value, message.value)).toBe(0);
    expect(parsed.$unknown).toEqual(message.$unknown);
  });

  it("encodes lengths that need several varint bytes (128, 16,384, 2,097,152)", () => {
    for (const n of [16_384, 2_097_152]) {
      const message = create(AnySchema, { typeUrl: "x".repeat(128), value: patterned(n) });
      const encoded = encodeWithLargeBytes(AnySchema, message, 8192)!;
      expect(Buffer.compare(joined(encoded.chunks), toBinary(AnySchema, message))).toBe(0);
    }
  });

  it("leaves small bytes fields and explicit-presence fields to protobuf-es", () => {
    expect(encodeWithLargeBytes(AnySchema, create(AnySchema, { value: patterned(8191) }), 8192)).toBeUndefined();
    expect(encodeWithLargeBytes(AnySchema, create(AnySchema, { typeUrl: "only text" }), 8192)).toBeUndefined();
    const explicit = create(UninterpretedOptionSchema, { stringValue: patterned(100_000) });
    expect(encodeWithLargeBytes(UninterpretedOptionSchema, explicit, 8192)).toBeUndefined();
  });
});

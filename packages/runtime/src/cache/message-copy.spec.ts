import { create, equals, isFieldSet } from "@bufbuild/protobuf";
import { ProbeSchema } from "../../../../test/cache/gen/keyprobe/v1/probe_pb.js";
import { LegacySchema } from "../../../../test/cache/gen/keyprobe/v1/legacy_pb.js";
import { copyMessage } from "./message-copy.js";

describe("copyMessage", () => {
  const original = () =>
    create(ProbeSchema, {
      text: "t",
      raw: new Uint8Array([1, 2]),
      i64: 5n,
      numbers: [1, 2],
      children: [{ text: "child" }],
      counts: { a: 1 },
      byId: { "7": { text: "seven" } },
      wrappedInt: 3,
      wrappedRaw: new Uint8Array([9]),
      attributes: { nested: { list: [1, "x", null] } },
      nested: { blobs: [new Uint8Array([4])] },
      choice: { case: "choiceProbe", value: { text: "inner" } },
    });

  it("is an equal message sharing no object, array or byte array with the original", () => {
    const source = original();
    const copy = copyMessage(source);
    expect(equals(ProbeSchema, copy, source)).toBe(true);
    copy.raw[0] = 99;
    copy.numbers.push(3);
    copy.children[0]!.text = "changed";
    copy.counts.b = 2;
    copy.byId["7"]!.text = "changed";
    copy.wrappedRaw![0] = 99;
    (copy.attributes!.nested as { list: unknown[] }).list.push("more");
    copy.nested!.blobs[0]![0] = 99;
    if (copy.choice.case === "choiceProbe") copy.choice.value.text = "changed";
    expect(equals(ProbeSchema, source, original())).toBe(true);
  });

  it("keeps a proto2 message's prototype, so unset fields still read their defaults and stay unset", () => {
    const source = create(LegacySchema, { strict: true });
    const copy = copyMessage(source);
    expect(copy.limit).toBe(10);
    expect(isFieldSet(copy, LegacySchema.field.limit)).toBe(false);
    expect(isFieldSet(copy, LegacySchema.field.strict)).toBe(true);
  });

  it("copies a map entry keyed __proto__ as data, not as the copy's prototype", () => {
    const counts: Record<string, number> = {};
    Object.defineProperty(counts, "__proto__", { value: 1, enumerable: true, writable: true, configurable: true });
    const copy = copyMessage(create(ProbeSchema, { counts }));
    expect(Object.getPrototypeOf(copy.counts)).toBe(Object.prototype);
    expect(Object.keys(copy.counts)).toEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(copy.counts, "__proto__")?.value).toBe(1);
  });
});

import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema, DurationSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { markPublished } from "../../hub/shared-encoding.js";
import { responseFramer } from "./response-encoding.js";

const codec = { readMaxBytes: 1 << 20, writeMaxBytes: 1 << 20 };

describe("responseFramer", () => {
  it("frames a flat message as its envelope: flags 0, the length, protobuf-es's bytes", () => {
    const message = create(AnySchema, { typeUrl: "type.example/x", value: new Uint8Array([1, 2, 3]) });
    const frame = responseFramer(AnySchema, codec)(message);
    const body = toBinary(AnySchema, message);
    expect(frame).toBeDefined();
    expect(frame![0]).toBe(0);
    expect(frame!.readUInt32BE(1)).toBe(body.byteLength);
    expect(Buffer.compare(frame!.subarray(5), body)).toBe(0);
  });

  it("leaves to the other path a large bytes field, a published value, a message that is not flat", () => {
    const frame = responseFramer(AnySchema, codec);
    expect(frame(create(AnySchema, { value: new Uint8Array(8192) }))).toBeUndefined();
    const published = create(AnySchema, { typeUrl: "type.example/published" });
    markPublished(published);
    expect(frame(published)).toBeUndefined();
    expect(responseFramer(DurationSchema, codec)(create(DurationSchema, { seconds: 1n }))).toBeUndefined();
  });

  it("fails with RESOURCE_EXHAUSTED over writeMaxBytes", () => {
    const frame = responseFramer(AnySchema, { ...codec, writeMaxBytes: 10 });
    const error = ConnectError.from((() => {
      try {
        frame(create(AnySchema, { typeUrl: "type.example/too-long" }));
      } catch (e) {
        return e;
      }
      return undefined;
    })());
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toBe("message size 23 is larger than configured writeMaxBytes 10");
  });
});

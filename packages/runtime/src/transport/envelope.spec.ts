import { Code, ConnectError } from "@connectrpc/connect";
import { createEnvelopeParser, encodeEnvelope } from "./envelope.js";
import { encodeGrpcTimeout } from "./node-headers.js";

describe("envelopes", () => {
  it("encodes flag, big-endian length and bytes", () => {
    expect([...encodeEnvelope(new Uint8Array([7, 8]), 1)]).toEqual([1, 0, 0, 0, 2, 7, 8]);
  });

  it("parses envelopes split at every byte boundary", () => {
    const stream = Buffer.concat([encodeEnvelope(new Uint8Array([1, 2, 3])), encodeEnvelope(new Uint8Array([])), encodeEnvelope(new Uint8Array([9]), 2)]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const parser = createEnvelopeParser(100);
      const out = [...parser.push(stream.subarray(0, cut)), ...parser.push(stream.subarray(cut))];
      expect(out.map((e) => [e.flags, [...e.data]])).toEqual([[0, [1, 2, 3]], [0, []], [2, [9]]]);
      expect(parser.pending).toBe(0);
    }
  });

  it("rejects a declared length over the limit before buffering the body", () => {
    const parser = createEnvelopeParser(10);
    const error = (() => {
      try {
        parser.push(encodeEnvelope(new Uint8Array(11)).subarray(0, 5));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
  });
});

describe("encodeGrpcTimeout", () => {
  it("uses at most 8 digits and rounds up", () => {
    expect(encodeGrpcTimeout(1500)).toBe("1500m");
    expect(encodeGrpcTimeout(0.2)).toBe("1m");
    expect(encodeGrpcTimeout(99_999_999)).toBe("99999999m");
    expect(encodeGrpcTimeout(100_000_000)).toBe("100000S");
    expect(encodeGrpcTimeout(1e12)).toBe("16666667M");
    expect(encodeGrpcTimeout(1e18)).toBe("99999999H");
  });
});

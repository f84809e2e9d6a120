import { Code, ConnectError } from "@connectrpc/connect";
import { createEnvelopeParser, encodeEnvelope, preallocatedBodyBytes } from "./envelope.js";
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

  it("hands each envelope to a visitor as a range of the chunk or of the buffer it was assembled in, split anywhere", () => {
    const stream = Buffer.concat([encodeEnvelope(new Uint8Array([1, 2, 3])), encodeEnvelope(new Uint8Array([])), encodeEnvelope(new Uint8Array([9]), 2)]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const parser = createEnvelopeParser(100);
      const seen: [number, number[]][] = [];
      const visit = (flags: number, bytes: Uint8Array, offset: number, length: number): void => {
        seen.push([flags, [...bytes.subarray(offset, offset + length)]]);
      };
      parser.each(stream.subarray(0, cut), visit);
      parser.each(stream.subarray(cut), visit);
      expect(seen).toEqual([[0, [1, 2, 3]], [0, []], [2, [9]]]);
      expect(parser.pending).toBe(0);
    }
  });

  it("parses envelopes split at every pair of byte boundaries", () => {
    const stream = Buffer.concat([encodeEnvelope(new Uint8Array([1, 2, 3, 4, 5, 6])), encodeEnvelope(new Uint8Array([7]), 1)]);
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b++) {
        const parser = createEnvelopeParser(100);
        const out = [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)].flatMap((part) => parser.push(part));
        expect(out.map((e) => [e.flags, [...e.data]])).toEqual([[0, [1, 2, 3, 4, 5, 6]], [1, [7]]]);
        expect(parser.pending).toBe(0);
      }
    }
  });

  it("parses a stream fed one byte at a time, and counts the pending bytes of an incomplete envelope", () => {
    const stream = Buffer.concat([encodeEnvelope(new Uint8Array([1, 2, 3])), encodeEnvelope(new Uint8Array([4, 5]))]);
    const parser = createEnvelopeParser(100);
    const pending: number[] = [];
    const out: number[][] = [];
    for (const byte of stream) {
      for (const e of parser.push(Uint8Array.of(byte))) out.push([...e.data]);
      pending.push(parser.pending);
    }
    expect(out).toEqual([[1, 2, 3], [4, 5]]);
    expect(pending).toEqual([1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 0]);
  });

  it("returns every envelope of one chunk in order, keeping a trailing partial one", () => {
    const many = Array.from({ length: 50 }, (_, i) => encodeEnvelope(new Uint8Array([i, i]), i % 2));
    const partial = encodeEnvelope(new Uint8Array([9, 9, 9])).subarray(0, 6);
    const parser = createEnvelopeParser(100);
    const out = parser.push(Buffer.concat([...many, partial]));
    expect(out.map((e) => [e.flags, e.data[0]])).toEqual(many.map((_, i) => [i % 2, i]));
    expect(parser.pending).toBe(6);
    expect(parser.push(Uint8Array.of(9, 9)).map((e) => [...e.data])).toEqual([[9, 9, 9]]);
    expect(parser.pending).toBe(0);
  });

  it("accepts a message of exactly readMaxBytes", () => {
    const parser = createEnvelopeParser(10);
    expect(parser.push(encodeEnvelope(new Uint8Array(10)))[0]?.data.byteLength).toBe(10);
  });

  it("rejects a declared length over the limit before buffering the body", () => {
    const parser = createEnvelopeParser(10);
    const error = thrown(() => parser.push(encodeEnvelope(new Uint8Array(11)).subarray(0, 5)));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
    expect((error as ConnectError).rawMessage).toBe("message size 11 is larger than configured readMaxBytes 10");
  });

  it("rejects an oversized prefix split across chunks as soon as its last byte arrives", () => {
    const prefix = encodeEnvelope(new Uint8Array(0));
    prefix.writeUInt32BE(1 << 30, 1);
    const parser = createEnvelopeParser(10);
    expect(parser.push(prefix.subarray(0, 2))).toEqual([]);
    expect(parser.push(prefix.subarray(2, 4))).toEqual([]);
    const error = thrown(() => parser.push(prefix.subarray(4)));
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
  });

  it("rejects an oversized envelope that follows good ones in the same chunk, after parsing none of its body", () => {
    const parser = createEnvelopeParser(10);
    const big = Buffer.alloc(5);
    big.writeUInt32BE(11, 1);
    const error = thrown(() => parser.push(Buffer.concat([encodeEnvelope(new Uint8Array(3)), big])));
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
  });

  it("assembles a message split across chunks as they arrive, keeping none of them (a chunk reused after push does not change it)", () => {
    const payload = Uint8Array.from({ length: 70_000 }, (_, i) => i % 251);
    const stream = encodeEnvelope(payload);
    const parser = createEnvelopeParser(1 << 20);
    const out = [];
    for (let offset = 0; offset < stream.byteLength; offset += 16 * 1024) {
      // node may hand out views of a receive buffer: the parser must copy what it keeps, then let go.
      const chunk = Buffer.from(stream.subarray(offset, offset + 16 * 1024));
      out.push(...parser.push(chunk));
      chunk.fill(0xee);
    }
    expect(out).toHaveLength(1);
    expect(Buffer.from(out[0]!.data).equals(Buffer.from(payload))).toBe(true);
    expect(parser.pending).toBe(0);
  });

  it("returns a view, not a copy, of an envelope that lies inside one chunk", () => {
    const chunk = Buffer.concat([encodeEnvelope(new Uint8Array([1, 2])), encodeEnvelope(new Uint8Array([3]))]);
    const out = createEnvelopeParser(100).push(chunk);
    expect(out.map((e) => e.data.buffer === chunk.buffer)).toEqual([true, true]);
  });

  it("holds at most twice the bytes received of a message announced larger than the preallocated size", () => {
    const length = 16 * preallocatedBodyBytes;
    const head = Buffer.alloc(5 + 10);
    head.writeUInt32BE(length, 1);
    const parser = createEnvelopeParser(length);
    const before = process.memoryUsage().arrayBuffers;
    expect(parser.push(head)).toEqual([]);
    expect(parser.pending).toBe(15);
    // Only the preallocated first piece exists, not the announced 2 MiB.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(length / 4);
    const rest = Buffer.alloc(length - 10, 7);
    const out = [...parser.push(rest.subarray(0, 1000)), ...parser.push(rest.subarray(1000))];
    expect(out).toHaveLength(1);
    expect(out[0]!.data.byteLength).toBe(length);
    expect(out[0]!.data.subarray(10).every((b) => b === 7)).toBe(true);
  });

  it("parses a 16 MiB message fed in 16 KiB chunks within 5× the CPU time of a 4 MiB one (linear, not quadratic)", () => {
    const chunkBytes = 16 * 1024;
    const stream = (size: number): Buffer[] => {
      const whole = encodeEnvelope(new Uint8Array(size));
      const chunks: Buffer[] = [];
      for (let offset = 0; offset < whole.byteLength; offset += chunkBytes) chunks.push(whole.subarray(offset, offset + chunkBytes));
      return chunks;
    };
    /** Least CPU time (µs) of a few runs, so one GC pause or scheduler hiccup does not decide. */
    const cpuMicros = (chunks: readonly Buffer[], size: number): number => {
      let best = Number.POSITIVE_INFINITY;
      for (let run = 0; run < 7 && (run === 0 || best < 1_000_000); run++) {
        const parser = createEnvelopeParser(size);
        const start = process.cpuUsage();
        let parsed = 0;
        for (const chunk of chunks) parsed += parser.push(chunk).length;
        const used = process.cpuUsage(start);
        expect(parsed).toBe(1);
        best = Math.min(best, used.user + used.system);
      }
      return best;
    };
    const smallStream = stream(4 << 20);
    cpuMicros(smallStream, 4 << 20); // warm-up: JIT and the allocator
    const small = cpuMicros(smallStream, 4 << 20);
    const large = cpuMicros(stream(16 << 20), 16 << 20);
    // Linear parsing costs ~4× (a few ms); quadratic concatenation costs ~16× and more (0.2 s for
    // 4 MiB and 3 s for 16 MiB before). The 20 ms floor on the small run keeps timer granularity,
    // page faults and a busy shared machine from deciding; the quadratic parser stays far above it.
    expect(large).toBeLessThan(5 * Math.max(small, 20_000));
  });
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

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

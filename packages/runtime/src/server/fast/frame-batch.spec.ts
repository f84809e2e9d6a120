import { FrameBatch, keptSlots } from "./frame-batch.js";

/** The message bodies of the envelopes in `frames`, each checked for flags 0. */
function bodies(frames: Buffer): number[][] {
  const out: number[][] = [];
  for (let at = 0; at < frames.length; ) {
    expect(frames[at]).toBe(0);
    const length = frames.readUInt32BE(at + 1);
    out.push([...frames.subarray(at + 5, at + 5 + length)]);
    at += 5 + length;
  }
  return out;
}

describe("FrameBatch", () => {
  it("frames serialized messages behind a prefix and copies whole envelopes as they are, in order", () => {
    const batch = new FrameBatch();
    batch.add(new Uint8Array([1, 2]));
    batch.addFrame(Buffer.from([0, 0, 0, 0, 1, 9]));
    batch.add(new Uint8Array(0));
    expect(batch.bytes).toBe(7 + 6 + 5);
    expect(bodies(batch.take()!)).toEqual([[1, 2], [9], []]);
    expect(batch.bytes).toBe(0);
    expect(batch.take()).toBeUndefined();
  });

  it("hands a lone whole envelope over as the same buffer", () => {
    const batch = new FrameBatch();
    const frame = Buffer.from([0, 0, 0, 0, 1, 7]);
    batch.addFrame(frame);
    expect(batch.take()).toBe(frame);
  });

  it("keeps its slots for a batch as large as a hub subscriber's default queue (1,024), and lets go of a larger one's", () => {
    const batch = new FrameBatch();
    const fill = (count: number): void => {
      for (let i = 0; i < count; i++) batch.add(new Uint8Array([i & 0xff]));
    };
    fill(300);
    batch.take();
    expect(batch.slotsKept).toBe(300);
    fill(keptSlots);
    expect(bodies(batch.take()!)).toHaveLength(keptSlots);
    expect(batch.slotsKept).toBe(keptSlots);
    expect(keptSlots).toBeGreaterThanOrEqual(1024);
    fill(keptSlots + 1);
    batch.take();
    expect(batch.slotsKept).toBe(0);
  });

  it("holds no message it framed once taken", () => {
    const batch = new FrameBatch();
    const message = new Uint8Array([5]);
    batch.add(message);
    batch.take();
    const held = (batch as unknown as { messages: Uint8Array[] }).messages;
    expect(held).not.toContain(message);
  });
});

import { FrameSlabs, slabBytes } from "./frame-slabs.js";

describe("FrameSlabs", () => {
  it("cuts batches one after another from a slab and starts it again once all are released", () => {
    const slabs = new FrameSlabs();
    const a = slabs.take(1000);
    const b = slabs.take(2000);
    expect(b.frames.buffer).toBe(a.frames.buffer);
    expect(b.frames.byteOffset).toBe(a.frames.byteOffset + 1000);
    a.release();
    b.release();
    const c = slabs.take(500);
    expect(c.frames.buffer).toBe(a.frames.buffer);
    expect(c.frames.byteOffset).toBe(a.frames.byteOffset);
  });

  it("moves to another slab when a batch does not fit, and reuses the first only once its last batch is released", () => {
    const slabs = new FrameSlabs();
    const first = slabs.take(slabBytes - 100);
    const second = slabs.take(200);
    expect(second.frames.buffer).not.toBe(first.frames.buffer);
    second.release();
    const third = slabs.take(slabBytes - 100);
    expect(third.frames.buffer).toBe(second.frames.buffer);
    expect(slabs.freeSlabs).toBe(0);
    first.release();
    first.release(); // a second release is ignored
    expect(slabs.freeSlabs).toBe(1);
    const fourth = slabs.take(300);
    expect(fourth.frames.buffer).toBe(first.frames.buffer);
    expect(slabs.freeSlabs).toBe(0);
  });

  it("gives a batch larger than a slab memory of its own", () => {
    const slabs = new FrameSlabs();
    const big = slabs.take(slabBytes + 1);
    expect(big.frames.byteLength).toBe(slabBytes + 1);
    big.release();
    expect(slabs.freeSlabs).toBe(0);
  });
});

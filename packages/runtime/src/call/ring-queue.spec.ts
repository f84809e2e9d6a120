import { RingQueue } from "./ring-queue.js";

describe("RingQueue", () => {
  it("is first in, first out across the wrap-around", () => {
    const q = new RingQueue<number>(3);
    q.push(1);
    q.push(2);
    expect(q.shift()).toBe(1);
    q.push(3);
    q.push(4);
    expect(q.full).toBe(true);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([2, 3, 4, undefined]);
  });

  it("refuses a push when full and keeps its items", () => {
    const q = new RingQueue<string>(2);
    expect([q.push("a"), q.push("b"), q.push("c")]).toEqual([true, true, false]);
    expect(q.length).toBe(2);
    expect(q.shift()).toBe("a");
  });

  it("clear() empties it", () => {
    const q = new RingQueue<number>(2);
    q.push(1);
    q.clear();
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
  });
});

describe("RingQueue slots", () => {
  it("starts with a few slots and grows only as items arrive, up to the capacity", () => {
    const q = new RingQueue<number>(1024);
    expect(q.allocatedSlots).toBe(8);
    for (let i = 0; i < 9; i++) q.push(i);
    expect(q.allocatedSlots).toBe(16);
    for (let i = 9; i < 1024; i++) q.push(i);
    expect(q.allocatedSlots).toBe(1024);
    expect(q.push(1024)).toBe(false);
    expect(q.allocatedSlots).toBe(1024);
  });

  it("holds no more than a capacity that is not a power of two, in the power of two above it", () => {
    const q = new RingQueue<number>(20);
    for (let i = 0; i < 20; i++) q.push(i);
    expect(q.push(20)).toBe(false);
    expect(q.allocatedSlots).toBe(32);
    expect(q.full).toBe(true);
    expect(Array.from({ length: 20 }, () => q.shift())).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("keeps first in, first out when it grows while wrapped around", () => {
    const q = new RingQueue<number>(64);
    const expected: number[] = [];
    let next = 0;
    // Wrap the 8 initial slots, then grow twice with the head in the middle of the array.
    for (let i = 0; i < 6; i++) q.push(next++);
    for (let i = 0; i < 4; i++) expected.push(q.shift()!);
    for (let i = 0; i < 30; i++) q.push(next++);
    while (q.length > 0) expected.push(q.shift()!);
    expect(expected).toEqual(Array.from({ length: 36 }, (_, i) => i));
    expect(q.allocatedSlots).toBe(32);
  });

  it("clear() lets go of the slots it grew", () => {
    const q = new RingQueue<number>(256);
    for (let i = 0; i < 256; i++) q.push(i);
    q.clear();
    expect(q.allocatedSlots).toBe(8);
    expect(q.push(1)).toBe(true);
    expect(q.at(0)).toBe(1);
  });
});

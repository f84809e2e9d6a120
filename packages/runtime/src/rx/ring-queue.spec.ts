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

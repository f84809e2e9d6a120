// The load generator's deadline ring: calls expire in start order at their deadline, a call that
// settled first never expires, and stale tickets are ignored.
import { createDeadlineRing } from "../../bench/src/contenders/deadline-ring.js";

describe("deadline ring", () => {
  it("expires exactly the items due, oldest first, and reports the next deadline", () => {
    const ring = createDeadlineRing<string>(4);
    ring.add("a", 10);
    ring.add("b", 20);
    ring.add("c", 20);
    ring.add("d", 30);
    const expired: string[] = [];
    ring.expire(19.9, (item) => expired.push(item));
    expect(expired).toEqual(["a"]);
    expect(ring.nextDeadline()).toBe(20);
    ring.expire(20, (item) => expired.push(item));
    expect(expired).toEqual(["a", "b", "c"]);
    expect(ring.size).toBe(1);
    expect(ring.nextDeadline()).toBe(30);
  });

  it("never expires an item removed before its deadline, and skips it for the next deadline", () => {
    const ring = createDeadlineRing<string>(4);
    const a = ring.add("a", 10);
    ring.add("b", 20);
    ring.remove(a);
    expect(ring.nextDeadline()).toBe(20);
    const expired: string[] = [];
    ring.expire(100, (item) => expired.push(item));
    expect(expired).toEqual(["b"]);
    expect(ring.size).toBe(0);
    expect(ring.nextDeadline()).toBeUndefined();
  });

  it("grows past its initial capacity with holes in the middle, keeping order", () => {
    const ring = createDeadlineRing<number>(2);
    const tickets = Array.from({ length: 9 }, (_, i) => ring.add(i, i));
    for (const t of [tickets[2]!, tickets[5]!, tickets[6]!]) ring.remove(t);
    const expired: number[] = [];
    ring.expire(8, (item) => expired.push(item));
    expect(expired).toEqual([0, 1, 3, 4, 7, 8]);
  });

  it("ignores a ticket that expired or was removed already, even after its slot was reused", () => {
    const ring = createDeadlineRing<string>(2);
    const a = ring.add("a", 1);
    ring.expire(1, () => {});
    ring.add("b", 2);
    ring.add("c", 3); // reuses a's slot
    ring.remove(a);
    ring.remove(a);
    expect(ring.size).toBe(2);
    const expired: string[] = [];
    ring.expire(3, (item) => expired.push(item));
    expect(expired).toEqual(["b", "c"]);
  });
});

// The bench's reference policies on hand-made traces: the perfect-history LFU and the heap under it.
import { PairHeap } from "../../bench/src/cache/pair-heap.js";
import { perfectLfuHits } from "../../bench/src/cache/perfect-lfu.js";

describe("PairHeap", () => {
  it("pops the highest priority first as a max-heap and the lowest as a min-heap", () => {
    const priorities = [5, 1, 9, 3, 7, 3];
    const drain = (heap: PairHeap) => {
      priorities.forEach((p, key) => heap.push(p, key));
      const out: number[] = [];
      while (heap.size > 0) out.push(heap.pop()[0]);
      return out;
    };
    expect(drain(new PairHeap(true))).toEqual([9, 7, 5, 3, 3, 1]);
    expect(drain(new PairHeap(false))).toEqual([1, 3, 3, 5, 7, 9]);
  });
});

describe("perfectLfuHits", () => {
  it("admits a missed key only once its exact count beats the least count held", () => {
    // cap 1: 1 enters; 2 at count 1 and 1 at count 1 tie (resident stays); 2 at count 2 replaces 1
    // (a miss); 2 hits; 1 at count 2 does not beat 2 at count 3.
    expect(perfectLfuHits(Int32Array.from([1, 2, 2, 2, 1]), 1)).toBe(1);
  });

  it("keeps its counts of keys it evicted, unlike an LFU that counts only what it holds", () => {
    // 1 and 2 alternate twice in a cache of one: 2 wins at its second request, 1 wins back at its third.
    expect(perfectLfuHits(Int32Array.from([1, 1, 2, 2, 2, 1, 1, 1, 1]), 1)).toBe(1 + 1 + 1);
  });

  it("hits every repeat when the cache holds every key", () => {
    expect(perfectLfuHits(Int32Array.from([3, 1, 3, 2, 1, 3]), 3)).toBe(3);
  });
});

describe("perfectLfuHits with ageing", () => {
  it("halves every count on its period, so a newer key overtakes an old favourite sooner", () => {
    // cap 1: 1 is read 4 times (3 hits), then halved to 2; 2 beats it at its third request (count 3)
    // and hits its fourth. Without ageing 1 keeps 4 and 2 never beats it.
    const keys = Int32Array.from([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(perfectLfuHits(keys, 1, 4)).toBe(3 + 1);
    expect(perfectLfuHits(keys, 1)).toBe(3);
  });
});

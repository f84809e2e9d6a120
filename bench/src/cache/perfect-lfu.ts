// The perfect-history LFU oracle: online, exact counts of every key seen so far (memory for the whole
// key space, no aging, or exact counts halved on a fixed period), keeps the most requested.
import { PairHeap } from "./pair-heap.js";

/**
 * Hits of the perfect-history LFU on `keys` with room for `capacity` keys: each request counts its
 * key exactly; a missed key enters when there is room or when its count exceeds the least count
 * held (ties keep the resident). O(n log capacity) with a lazy min-heap. With `halveEvery`, every
 * count is halved (rounded down) after each `halveEvery` requests: the best any policy can do whose
 * frequencies age on that period, with no collisions, no counter cap and the global least-counted
 * entry as victim (each halving costs O(keys counted)).
 */
export function perfectLfuHits(keys: Int32Array, capacity: number, halveEvery = Infinity): number {
  const counts = new Map<number, number>();
  const resident = new Set<number>();
  const heap = new PairHeap(false); // [count when pushed, key]; rows with an old count are stale
  let hits = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    if (resident.has(key)) {
      hits++;
      heap.push(count, key);
    } else if (resident.size < capacity) {
      resident.add(key);
      heap.push(count, key);
    } else {
      while (!resident.has(heap.peek()[1]) || counts.get(heap.peek()[1]) !== heap.peek()[0]) heap.pop();
      if (count > heap.peek()[0]) {
        resident.delete(heap.pop()[1]);
        resident.add(key);
        heap.push(count, key);
      }
    }
    const halve = (i + 1) % halveEvery === 0;
    if (halve) halveCounts(counts, resident);
    if (halve || heap.size > 4 * capacity + 64) {
      heap.clear();
      for (const k of resident) heap.push(counts.get(k)!, k);
    }
  }
  return hits;
}

/** Halves every count; forgets the keys whose count reaches 0 unless they are resident (then 0). */
function halveCounts(counts: Map<number, number>, resident: ReadonlySet<number>): void {
  for (const [key, count] of counts) {
    const half = count >>> 1;
    if (half > 0 || resident.has(key)) counts.set(key, half);
    else counts.delete(key);
  }
}

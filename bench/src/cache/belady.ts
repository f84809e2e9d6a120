// Belady's optimum (MIN): over capacity, drop the key (the newcomer included) next used farthest away.
// Computed offline with next-use indices and a lazy max-heap; O(n log capacity).

/** Next index at which each request's key recurs (n when never). */
function nextUses(keys: Int32Array): Int32Array {
  const next = new Int32Array(keys.length);
  const seen = new Map<number, number>();
  for (let i = keys.length - 1; i >= 0; i--) {
    next[i] = seen.get(keys[i]!) ?? keys.length;
    seen.set(keys[i]!, i);
  }
  return next;
}

/** Hits of Belady's optimal policy on `keys` with room for `capacity` keys. */
export function beladyHits(keys: Int32Array, capacity: number): number {
  const next = nextUses(keys);
  const nextOf = new Map<number, number>(); // resident key → its next use
  const heap: Array<[number, number]> = []; // [next use, key], max-heap; stale rows skipped
  const push = (item: [number, number]): void => {
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]![0] >= heap[i]![0]) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  };
  const pop = (): [number, number] => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l]![0] > heap[m]![0]) m = l;
        if (r < heap.length && heap[r]![0] > heap[m]![0]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  };
  let hits = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (nextOf.has(key)) hits++;
    nextOf.set(key, next[i]!);
    push([next[i]!, key]);
    // Over capacity: drop whichever key (the new one included) is next used farthest away.
    while (nextOf.size > capacity) {
      const [use, victim] = pop();
      if (nextOf.get(victim) === use) nextOf.delete(victim);
    }
    if (heap.length > 4 * capacity + 64) {
      heap.length = 0;
      for (const [k, use] of nextOf) push([use, k]);
    }
  }
  return hits;
}

// A binary heap of (priority, key) pairs: the lazy priority queue under the bench's offline
// reference policies (Belady's optimum, the perfect-history LFU).

/** A heap of `[priority, key]` pairs whose top is the highest priority (`highestFirst`) or the lowest. */
export class PairHeap {
  private readonly items: Array<[number, number]> = [];

  /** An empty heap; `highestFirst` picks a max-heap, else a min-heap. */
  constructor(private readonly highestFirst: boolean) {}

  /** Pairs held. */
  get size(): number {
    return this.items.length;
  }

  /** The top pair without removing it; the heap must not be empty. */
  peek(): [number, number] {
    return this.items[0]!;
  }

  /** Adds a pair. */
  push(priority: number, key: number): void {
    const items = this.items;
    items.push([priority, key]);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(items[i]!, items[parent]!)) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }

  /** Removes and returns the top pair; the heap must not be empty. */
  pop(): [number, number] {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.above(items[l]!, items[m]!)) m = l;
        if (r < items.length && this.above(items[r]!, items[m]!)) m = r;
        if (m === i) break;
        [items[m], items[i]] = [items[i]!, items[m]!];
        i = m;
      }
    }
    return top;
  }

  /** Drops every pair. */
  clear(): void {
    this.items.length = 0;
  }

  /** True when `a` belongs strictly nearer the top than `b`. */
  private above(a: [number, number], b: [number, number]): boolean {
    return this.highestFirst ? a[0] > b[0] : a[0] < b[0];
  }
}

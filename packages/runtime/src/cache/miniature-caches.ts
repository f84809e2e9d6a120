// Several fixed-window W-TinyLFU caches of one size simulated together for the miniature climber: one
// key index, one node pool and one frequency sketch serve all of them, so an access costs one lookup.
import { FrequencySketch } from "./frequency-sketch.js";
import { ABSENT_KEY, IntIndex } from "./int-index.js";

/** "No node": an empty queue's head, a last node's `next`. */
const NONE = -1;
/** Where a node sits in one miniature (`region`); queues are numbered 1 … 3. */
const ABSENT = 0;
const WINDOW = 1;
const PROBATION = 2;
const PROTECTED = 3;
/** Queue slots per miniature in `heads` / `tails` (index 0 unused). */
const QUEUES = 4;
/** Share of each miniature's main area that is protected, as in the full store (80 %). */
const PERCENT_PROTECTED = 0.8;

/**
 * W-TinyLFU caches of `capacity` entries (unit weights, no TTL, no values) that differ only in their
 * fixed window share, fed the same stream of 30-bit key hashes. Each behaves exactly as
 * `createTinyLfuStore({ maxEntries: capacity, climber: "fixed", windowShare, sketchEntries,
 * sketchStart: "half-full" })` keyed by those hashes, with the identity as its hash and without the
 * random admission of warm candidates: its sketch starts when it is half full (a miniature sketch
 * counting from the first access ranked the windows worse: scans @ 10,000 lost 0.3 points), a
 * window overflow becomes a probation
 * candidate that is admitted only when the sketch rates it warmer than the probation victim. They
 * share one sketch (they see the same accesses, so their counts agree) and one index from hash to a
 * pooled node that records, per miniature, its queue and links. O(miniatures) per access.
 */
export class MiniatureCaches {
  /** Entries each miniature holds. */
  readonly capacity: number;
  /** Window maximum of each miniature, in entries. */
  readonly windowMaximums: readonly number[];
  /** Protected-segment maximum of each miniature, in entries. */
  readonly protectedMaximums: readonly number[];
  private readonly count: number;
  private readonly sketchEntries: number;
  private sketch: FrequencySketch | undefined;
  /** Key hash → its node. */
  private readonly index: IntIndex;
  /** Node → its key hash. */
  private readonly hashes: Int32Array;
  /** Node → how many miniatures hold it; a node held by none is freed. */
  private readonly holders: Uint8Array;
  /** Node × miniature → queue (`ABSENT` when that miniature does not hold it). */
  private readonly region: Uint8Array;
  /** Node × miniature → previous / next node in that miniature's queue. */
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  /** Miniature × queue → least / most recent node. */
  private readonly heads: Int32Array;
  private readonly tails: Int32Array;
  private readonly windowCounts: Int32Array;
  private readonly protectedCounts: Int32Array;
  private readonly totals: Int32Array;
  /** Nodes ever handed out; freed nodes are chained through `freeNext`. */
  private top = 0;
  private freeHead = NONE;
  private readonly freeNext: Int32Array;

  /**
   * One miniature per entry of `windowShares` (each in (0, 1), at most 8), all of `capacity`
   * entries, sharing a frequency sketch sized and aged for `sketchEntries` entries.
   */
  constructor(capacity: number, windowShares: readonly number[], sketchEntries: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new Error(`capacity: must be an integer >= 1, got ${String(capacity)}`);
    if (windowShares.length < 1 || windowShares.length > 8) throw new Error(`windowShares: must hold 1 to 8 shares, got ${windowShares.length}`);
    for (const share of windowShares) if (!(share > 0 && share < 1)) throw new Error(`windowShares: each must be in (0, 1), got ${String(share)}`);
    if (!(Number.isInteger(sketchEntries) && sketchEntries >= 1)) throw new Error(`sketchEntries: must be an integer >= 1, got ${String(sketchEntries)}`);
    this.capacity = capacity;
    this.count = windowShares.length;
    this.sketchEntries = sketchEntries;
    this.windowMaximums = windowShares.map((share) => capacity - Math.floor((1 - share) * capacity));
    this.protectedMaximums = this.windowMaximums.map((window) => Math.floor(PERCENT_PROTECTED * (capacity - window)));
    // Each miniature holds at most `capacity` nodes, plus the one being inserted.
    const nodes = this.count * capacity + 1;
    this.index = new IntIndex(nodes);
    this.hashes = new Int32Array(nodes);
    this.holders = new Uint8Array(nodes);
    this.freeNext = new Int32Array(nodes);
    this.region = new Uint8Array(nodes * this.count);
    this.prev = new Int32Array(nodes * this.count);
    this.next = new Int32Array(nodes * this.count);
    this.heads = new Int32Array(this.count * QUEUES).fill(NONE);
    this.tails = new Int32Array(this.count * QUEUES).fill(NONE);
    this.windowCounts = new Int32Array(this.count);
    this.protectedCounts = new Int32Array(this.count);
    this.totals = new Int32Array(this.count);
  }

  /** Distinct keys held by at least one miniature. */
  get keys(): number {
    return this.index.size;
  }

  /**
   * Reads `hash` in every miniature, inserting it where it misses. Returns a bit mask of the
   * miniatures that held it (bit i for `windowShares[i]`).
   */
  access(hash: number): number {
    let node = this.index.get(hash);
    if (node === ABSENT_KEY) {
      node = this.allocate(hash);
      this.index.insert(hash, node);
    }
    this.sketch?.increment(hash);
    let hits = 0;
    const count = this.count;
    for (let m = 0; m < count; m++) {
      const queue: number = this.region[node * count + m]!;
      if (queue === PROTECTED || queue === WINDOW) {
        hits |= 1 << m;
        if (this.tails[m * QUEUES + queue] !== node) {
          this.unlink(m, node);
          this.push(m, queue, node);
        }
      } else if (queue === PROBATION) {
        hits |= 1 << m;
        this.unlink(m, node);
        this.push(m, PROTECTED, node);
        this.protectedCounts[m]!++;
        this.demote(m);
      } else {
        this.push(m, WINDOW, node);
        this.holders[node]!++;
        this.windowCounts[m]!++;
        this.totals[m]!++;
        if (this.sketch === undefined && this.totals[m]! >= this.capacity / 2) this.sketch = new FrequencySketch(this.sketchEntries);
        this.evict(m);
      }
    }
    return hits;
  }

  /** Empties every miniature and forgets every count. */
  reset(): void {
    this.index.clear();
    this.sketch = undefined;
    this.region.fill(ABSENT);
    this.holders.fill(0);
    this.heads.fill(NONE);
    this.tails.fill(NONE);
    this.windowCounts.fill(0);
    this.protectedCounts.fill(0);
    this.totals.fill(0);
    this.top = 0;
    this.freeHead = NONE;
  }

  /**
   * After an insertion into miniature `m`: the window's overflow meets the probation victim. A
   * candidate turned away leaves from the window directly (the same end state as passing through
   * probation's end first).
   */
  private evict(m: number): void {
    const heads = this.heads;
    const windowOver = this.windowCounts[m]! > this.windowMaximums[m]!;
    if (this.totals[m]! <= this.capacity) {
      if (windowOver) this.toProbation(m, heads[m * QUEUES + WINDOW]!);
      return;
    }
    if (windowOver) {
      const candidate = heads[m * QUEUES + WINDOW]!;
      const victim = heads[m * QUEUES + PROBATION]!;
      if (victim !== NONE && this.admits(candidate, victim)) {
        this.toProbation(m, candidate);
        this.remove(m, victim);
      } else this.remove(m, candidate);
      return;
    }
    let victim = heads[m * QUEUES + PROBATION]!;
    if (victim === NONE) victim = heads[m * QUEUES + PROTECTED]!;
    if (victim === NONE) victim = heads[m * QUEUES + WINDOW]!;
    this.remove(m, victim);
  }

  /** Moves window node `node` of miniature `m` to probation's most recent end. */
  private toProbation(m: number, node: number): void {
    this.unlink(m, node);
    this.push(m, PROBATION, node);
    this.windowCounts[m]!--;
  }

  /** True when the sketch rates `candidate` warmer than `victim`. */
  private admits(candidate: number, victim: number): boolean {
    const sketch = this.sketch;
    return sketch !== undefined && sketch.frequency(this.hashes[candidate]!) > sketch.frequency(this.hashes[victim]!);
  }

  /** Moves miniature `m`'s protected overflow to probation. */
  private demote(m: number): void {
    while (this.protectedCounts[m]! > this.protectedMaximums[m]!) {
      const node = this.heads[m * QUEUES + PROTECTED]!;
      this.unlink(m, node);
      this.push(m, PROBATION, node);
      this.protectedCounts[m]!--;
    }
  }

  /** Takes `node` out of miniature `m`; frees it when no miniature holds it any more. */
  private remove(m: number, node: number): void {
    const queue = this.region[node * this.count + m]!;
    if (queue === WINDOW) this.windowCounts[m]!--;
    else if (queue === PROTECTED) this.protectedCounts[m]!--;
    this.totals[m]!--;
    this.unlink(m, node);
    this.region[node * this.count + m] = ABSENT;
    if (--this.holders[node]! === 0) {
      this.index.delete(this.hashes[node]!);
      this.freeNext[node] = this.freeHead;
      this.freeHead = node;
    }
  }

  private allocate(hash: number): number {
    let node = this.freeHead;
    if (node !== NONE) this.freeHead = this.freeNext[node]!;
    else node = this.top++;
    this.hashes[node] = hash;
    return node;
  }

  /** Appends `node` to the most recent end of miniature `m`'s `queue`. */
  private push(m: number, queue: number, node: number): void {
    const link = node * this.count + m;
    const q = m * QUEUES + queue;
    const tail = this.tails[q]!;
    this.region[link] = queue;
    this.prev[link] = tail;
    this.next[link] = NONE;
    if (tail === NONE) this.heads[q] = node;
    else this.next[tail * this.count + m] = node;
    this.tails[q] = node;
  }

  /** Unlinks `node` from the queue of miniature `m` that holds it. */
  private unlink(m: number, node: number): void {
    const link = node * this.count + m;
    const q = m * QUEUES + this.region[link]!;
    const prev = this.prev[link]!;
    const next = this.next[link]!;
    if (prev === NONE) this.heads[q] = next;
    else this.next[prev * this.count + m] = next;
    if (next === NONE) this.tails[q] = prev;
    else this.prev[next * this.count + m] = prev;
  }
}

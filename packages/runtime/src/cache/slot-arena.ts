// Entries stored as numbered slots in parallel typed arrays, linked into a few index-based LRU queues:
// a store built on it allocates nothing per access; an insertion pops a free slot.

/** The "no slot" index: an empty queue's head, a last slot's `next`. */
export const NO_SLOT = -1;
/** `queueOf` of a released slot: in no queue. */
export const RELEASED = 255;

/**
 * A growable pool of entry slots. Slot `s` holds `keys[s]`, `values[s]`, `sizes[s]`,
 * `expiresAt[s]`, `hashes[s]` and sits in queue `queueOf[s]` (0 … queues − 1), linked through
 * `prev` / `next`. Each queue's head is its least recently pushed or touched slot. Arrays double
 * when full, so every operation is O(1) amortised.
 */
export class SlotArena<K, V> {
  keys: (K | undefined)[] = [];
  values: (V | undefined)[] = [];
  sizes: Float64Array;
  expiresAt: Float64Array;
  hashes: Int32Array;
  queueOf: Uint8Array;
  prev: Int32Array;
  next: Int32Array;
  /** Least recent slot of each queue. */
  readonly heads: Int32Array;
  /** Most recent slot of each queue. */
  readonly tails: Int32Array;
  private capacity: number;
  /** Slots ever handed out; slots ≥ top are untouched. */
  private top = 0;
  /** Released slots, chained through `next`. */
  private freeHead = NO_SLOT;

  /** An arena of `queues` queues with room for `initialSlots` entries before it grows. */
  constructor(queues: number, initialSlots: number) {
    this.capacity = Math.max(4, initialSlots);
    this.sizes = new Float64Array(this.capacity);
    this.expiresAt = new Float64Array(this.capacity);
    this.hashes = new Int32Array(this.capacity);
    this.queueOf = new Uint8Array(this.capacity);
    this.prev = new Int32Array(this.capacity);
    this.next = new Int32Array(this.capacity);
    this.heads = new Int32Array(queues).fill(NO_SLOT);
    this.tails = new Int32Array(queues).fill(NO_SLOT);
  }

  /** A free slot holding the given entry, not yet in any queue. */
  allocate(key: K, value: V, size: number, expiresAt: number, hash: number): number {
    let slot = this.freeHead;
    if (slot !== NO_SLOT) this.freeHead = this.next[slot]!;
    else {
      if (this.top === this.capacity) this.grow();
      slot = this.top++;
    }
    this.keys[slot] = key;
    this.values[slot] = value;
    this.sizes[slot] = size;
    this.expiresAt[slot] = expiresAt;
    this.hashes[slot] = hash;
    return slot;
  }

  /** Returns `slot`, already out of its queue, to the free list, drops its key and value and marks it `RELEASED`. */
  release(slot: number): void {
    this.queueOf[slot] = RELEASED;
    this.keys[slot] = undefined;
    this.values[slot] = undefined;
    this.next[slot] = this.freeHead;
    this.freeHead = slot;
  }

  /** Appends `slot` to the most recent end of `queue`. */
  push(queue: number, slot: number): void {
    const tail = this.tails[queue]!;
    this.queueOf[slot] = queue;
    this.prev[slot] = tail;
    this.next[slot] = NO_SLOT;
    if (tail === NO_SLOT) this.heads[queue] = slot;
    else this.next[tail] = slot;
    this.tails[queue] = slot;
  }

  /** Unlinks `slot` from the queue that holds it. */
  unlink(slot: number): void {
    const queue = this.queueOf[slot]!;
    const prev = this.prev[slot]!;
    const next = this.next[slot]!;
    if (prev === NO_SLOT) this.heads[queue] = next;
    else this.next[prev] = next;
    if (next === NO_SLOT) this.tails[queue] = prev;
    else this.prev[next] = prev;
  }

  /** Moves `slot` to the most recent end of its own queue. */
  touch(slot: number): void {
    const queue = this.queueOf[slot]!;
    if (this.tails[queue] === slot) return;
    this.unlink(slot);
    this.push(queue, slot);
  }

  /** Moves `slot` from its queue to the most recent end of `queue`. */
  move(slot: number, queue: number): void {
    this.unlink(slot);
    this.push(queue, slot);
  }

  /** Empties every queue and frees every slot, keeping the arrays. */
  reset(): void {
    this.keys = [];
    this.values = [];
    this.heads.fill(NO_SLOT);
    this.tails.fill(NO_SLOT);
    this.top = 0;
    this.freeHead = NO_SLOT;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const widen = <A extends Float64Array | Int32Array | Uint8Array>(old: A, make: (n: number) => A): A => {
      const wider = make(capacity);
      wider.set(old);
      return wider;
    };
    this.sizes = widen(this.sizes, (n) => new Float64Array(n));
    this.expiresAt = widen(this.expiresAt, (n) => new Float64Array(n));
    this.hashes = widen(this.hashes, (n) => new Int32Array(n));
    this.queueOf = widen(this.queueOf, (n) => new Uint8Array(n));
    this.prev = widen(this.prev, (n) => new Int32Array(n));
    this.next = widen(this.next, (n) => new Int32Array(n));
    this.capacity = capacity;
  }
}

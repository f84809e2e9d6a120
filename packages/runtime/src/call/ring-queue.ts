// A bounded FIFO over a circular array: push, shift and drop-oldest in O(1) (amortized), its slots
// growing by doubling as items arrive, so an idle queue holds a few slots, not its whole capacity.

/** Slots a queue starts with (a power of two). */
const initialSlots = 8;

/** The smallest power of two that is at least `n` (n ≥ 1). */
function powerOfTwoAtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** A bounded first-in first-out queue. @private */
export class RingQueue<T> {
  /** A power of two of slots, so an index wraps with `& mask`; the capacity bounds the items, not the slots. */
  private slots: (T | undefined)[];
  private mask: number;
  private head = 0;
  private count = 0;

  /** Creates an empty queue holding at most `capacity` items. */
  constructor(readonly capacity: number) {
    this.slots = new Array<T | undefined>(Math.min(powerOfTwoAtLeast(capacity), initialSlots));
    this.mask = this.slots.length - 1;
  }

  /** Items held. */
  get length(): number {
    return this.count;
  }

  /** True when another push would not fit. */
  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Slots allocated now (at most the capacity rounded up to a power of two): what the queue costs beyond its items. */
  get allocatedSlots(): number {
    return this.slots.length;
  }

  /** Appends `item`; returns false (and keeps the queue as it was) when full. */
  push(item: T): boolean {
    if (this.count === this.capacity) return false;
    if (this.count > this.mask) this.grow();
    this.slots[(this.head + this.count) & this.mask] = item;
    this.count++;
    return true;
  }

  /** The item `index` places after the oldest (0: the oldest), or undefined past the end. */
  at(index: number): T | undefined {
    return index >= 0 && index < this.count ? this.slots[(this.head + index) & this.mask] : undefined;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.count--;
    return item;
  }

  /** Empties the queue, releasing every item and the slots it grew. */
  clear(): void {
    this.slots = new Array<T | undefined>(Math.min(powerOfTwoAtLeast(this.capacity), initialSlots));
    this.mask = this.slots.length - 1;
    this.head = 0;
    this.count = 0;
  }

  /** Doubles the slots, moving the items to the front in order. */
  private grow(): void {
    const next = new Array<T | undefined>(this.slots.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.slots[(this.head + i) & this.mask];
    this.slots = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}

// A fixed-capacity FIFO over a circular array: push, shift and drop-oldest in O(1), no growth.

/** A bounded first-in first-out queue. @private */
export class RingQueue<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private count = 0;

  /** Creates an empty queue holding at most `capacity` items. */
  constructor(readonly capacity: number) {
    this.slots = new Array<T | undefined>(capacity);
  }

  /** Items held. */
  get length(): number {
    return this.count;
  }

  /** True when another push would not fit. */
  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Appends `item`; returns false (and keeps the queue as it was) when full. */
  push(item: T): boolean {
    if (this.count === this.capacity) return false;
    this.slots[(this.head + this.count) % this.capacity] = item;
    this.count++;
    return true;
  }

  /** The item `index` places after the oldest (0: the oldest), or undefined past the end. */
  at(index: number): T | undefined {
    return index >= 0 && index < this.count ? this.slots[(this.head + index) % this.capacity] : undefined;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return item;
  }

  /** Empties the queue, releasing every item. */
  clear(): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.count = 0;
  }
}

// Deadlines of many calls in one ring kept in start order, so a load generator needs one timer for
// all its calls instead of a Node timer per call; a call that settles leaves at once (no survivor).

/** Calls with deadlines, oldest first; deadlines must not decrease from one `add` to the next. */
export interface DeadlineRing<T> {
  /** Adds `item` due at `deadline` (ms); returns its ticket for {@link DeadlineRing.remove}. */
  add(item: T, deadline: number): number;
  /** Forgets the item of `ticket` (it settled first); a ticket already expired or removed is ignored. */
  remove(ticket: number): void;
  /** Takes out every item due at `now` or earlier, oldest first, and passes it to `expire`. */
  expire(now: number, expire: (item: T) => void): void;
  /** The deadline of the oldest item still held, or undefined when none is. */
  nextDeadline(): number | undefined;
  /** Items held. */
  readonly size: number;
}

/**
 * Creates a ring of `initialCapacity` slots (doubling when full). Tickets are positions counted from
 * the start, so a stale ticket (its slot since reused) is told apart and ignored; deadlines sit in a
 * Float64Array and a removed item's slot is cleared at once, so only calls still in flight stay
 * reachable from here.
 */
export function createDeadlineRing<T>(initialCapacity = 1024): DeadlineRing<T> {
  let capacity = initialCapacity;
  let items: Array<T | undefined> = new Array<T | undefined>(capacity).fill(undefined);
  let deadlines = new Float64Array(capacity);
  /** Position of the oldest slot in use, and one past the newest. */
  let head = 0;
  let tail = 0;
  let size = 0;

  const grow = (): void => {
    const nextItems = new Array<T | undefined>(capacity * 2).fill(undefined);
    const nextDeadlines = new Float64Array(capacity * 2);
    for (let p = head; p < tail; p++) {
      nextItems[p % (capacity * 2)] = items[p % capacity];
      nextDeadlines[p % (capacity * 2)] = deadlines[p % capacity] as number;
    }
    items = nextItems;
    deadlines = nextDeadlines;
    capacity *= 2;
  };
  /** Drops removed items from the head. */
  const trim = (): void => {
    while (head < tail && items[head % capacity] === undefined) head++;
  };

  return {
    add(item, deadline) {
      if (tail - head === capacity) grow();
      const ticket = tail++;
      items[ticket % capacity] = item;
      deadlines[ticket % capacity] = deadline;
      size++;
      return ticket;
    },
    remove(ticket) {
      if (ticket < head || ticket >= tail || items[ticket % capacity] === undefined) return;
      items[ticket % capacity] = undefined;
      size--;
      trim();
    },
    expire(now, expire) {
      trim();
      while (head < tail && (deadlines[head % capacity] as number) <= now) {
        const item = items[head % capacity] as T;
        items[head % capacity] = undefined;
        head++;
        size--;
        expire(item);
        trim();
      }
    },
    nextDeadline() {
      trim();
      return head < tail ? (deadlines[head % capacity] as number) : undefined;
    },
    get size() {
      return size;
    },
  };
}

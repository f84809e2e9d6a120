// Events per second over a sliding window, kept in a ring of time buckets (no timers: buckets are
// rotated by the injected clock when counted or read).

/** Events per second over the last `windowMs`. @private */
export interface SlidingRate {
  /** Counts `n` events now (default 1). */
  add(n?: number): void;
  /** Events per second over the window ending now. */
  perSecond(): number;
}

/**
 * Creates a sliding rate over `windowMs` split into `buckets` buckets; the oldest bucket drops out
 * whole, so the rate is exact to one bucket's width.
 * @private
 */
export function createSlidingRate(now: () => number, windowMs: number, buckets = 10): SlidingRate {
  const width = windowMs / buckets;
  const counts = new Array<number>(buckets).fill(0);
  let head = Math.floor(now() / width); // index (in bucket widths since 0) of the newest bucket
  const rotate = (): void => {
    const current = Math.floor(now() / width);
    const steps = Math.min(buckets, current - head);
    for (let i = 1; i <= steps; i++) counts[(head + i) % buckets] = 0;
    if (current > head) head = current;
  };
  return {
    add(n = 1) {
      rotate();
      counts[head % buckets]! += n;
    },
    perSecond() {
      rotate();
      let sum = 0;
      for (const c of counts) sum += c;
      return (sum * 1000) / windowMs;
    },
  };
}

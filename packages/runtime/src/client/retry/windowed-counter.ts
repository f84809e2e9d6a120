// A sum over a sliding time window kept in a fixed ring of slices (Finagle's WindowedAdder):
// O(slices) memory, each add lands in the current slice, whole slices expire as time passes.

/** A counter whose additions count for a limited time. */
export interface WindowedCounter {
  /** Adds `amount` (may be negative) now. */
  add(amount: number): void;
  /** The sum of what was added in the current slice and the `slices − 1` before it. */
  sum(): number;
}

/**
 * Creates a windowed counter over `windowMs` split into `slices` slices of `windowMs / slices`
 * each: an addition counts for between `windowMs − sliceMs` and `windowMs`, depending on when
 * in its slice it fell.
 *
 * @param now - monotonic clock in milliseconds.
 * @throws Error naming `<field>.windowMs` / `<field>.slices`.
 * @example
 * const counter = createWindowedCounter(10_000, 10, () => performance.now());
 */
export function createWindowedCounter(windowMs: number, slices: number, now: () => number, field = "window"): WindowedCounter {
  if (!(Number.isFinite(windowMs) && windowMs > 0)) {
    throw new Error(`${field}.windowMs: must be a finite number of milliseconds > 0, got ${String(windowMs)}`);
  }
  if (!(Number.isInteger(slices) && slices >= 1 && slices <= 1000)) {
    throw new Error(`${field}.slices: must be an integer from 1 to 1000, got ${String(slices)}`);
  }
  const sliceMs = windowMs / slices;
  const sums = new Float64Array(slices);
  const sliceIds = new Float64Array(slices).fill(Number.NEGATIVE_INFINITY);
  const current = (): number => Math.floor(now() / sliceMs);
  return {
    add(amount) {
      const id = current();
      const i = ((id % slices) + slices) % slices;
      if (sliceIds[i] !== id) {
        sliceIds[i] = id;
        sums[i] = 0;
      }
      sums[i] += amount;
    },
    sum() {
      const id = current();
      let total = 0;
      for (let i = 0; i < slices; i++) {
        if (sliceIds[i] > id - slices) total += sums[i];
      }
      return total;
    },
  };
}

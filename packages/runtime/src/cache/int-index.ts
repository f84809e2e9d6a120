// A fixed-capacity map from non-negative int32 keys to int32 values in two typed arrays (open
// addressing, linear probing, backward-shift deletion): no allocation and no Map call per operation.

/** What `get` returns for an absent key. */
export const ABSENT_KEY = -1;

/**
 * Maps up to `limit` distinct non-negative int32 keys to int32 values. The table has a power of two
 * ≥ 2 × `limit` slots, so a probe sequence stays short; a key's home slot is picked by a
 * multiplicative hash of the key, so keys that share their low bits still spread. Deletion moves
 * later entries of the probe run back (no tombstones), so lookups never slow down with churn.
 * O(1) expected per operation; inserting more than `limit` keys throws.
 */
export class IntIndex {
  /** Most keys held at once. */
  readonly limit: number;
  private readonly keys: Int32Array;
  private readonly values: Int32Array;
  private readonly mask: number;
  private readonly shift: number;
  private count = 0;

  /** An index for up to `limit` keys (an integer ≥ 1). */
  constructor(limit: number) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new Error(`limit: must be an integer >= 1, got ${String(limit)}`);
    this.limit = limit;
    const bits = Math.max(2, Math.ceil(Math.log2(2 * limit)));
    this.keys = new Int32Array(2 ** bits).fill(ABSENT_KEY);
    this.values = new Int32Array(2 ** bits);
    this.mask = 2 ** bits - 1;
    this.shift = 32 - bits;
  }

  /** Keys held. */
  get size(): number {
    return this.count;
  }

  /** The value of `key`, or `ABSENT_KEY` (-1) when it is absent. */
  get(key: number): number {
    const keys = this.keys;
    for (let i = this.home(key); ; i = (i + 1) & this.mask) {
      const k = keys[i]!;
      if (k === key) return this.values[i]!;
      if (k === ABSENT_KEY) return ABSENT_KEY;
    }
  }

  /** Inserts `key` (non-negative int32, absent) with `value`. */
  insert(key: number, value: number): void {
    if (this.count === this.limit) throw new Error(`IntIndex: more than ${this.limit} keys`);
    const keys = this.keys;
    let i = this.home(key);
    while (keys[i] !== ABSENT_KEY) i = (i + 1) & this.mask;
    keys[i] = key;
    this.values[i] = value;
    this.count++;
  }

  /** Removes `key`; false when it was absent. */
  delete(key: number): boolean {
    const keys = this.keys;
    const mask = this.mask;
    let i = this.home(key);
    for (; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === key) break;
      if (k === ABSENT_KEY) return false;
    }
    // Backward shift: move each later entry of the run into the hole unless its home lies
    // cyclically in (hole, its slot], where the hole would cut it off from its home.
    let hole = i;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const k = keys[j]!;
      if (k === ABSENT_KEY) break;
      const home = this.home(k);
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        keys[hole] = k;
        this.values[hole] = this.values[j]!;
        hole = j;
      }
    }
    keys[hole] = ABSENT_KEY;
    this.count--;
    return true;
  }

  /** Removes every key. */
  clear(): void {
    this.keys.fill(ABSENT_KEY);
    this.count = 0;
  }

  /** Home slot of `key`: the top bits of a Fibonacci multiplicative hash. */
  private home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }
}

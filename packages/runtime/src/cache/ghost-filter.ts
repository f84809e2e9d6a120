// A fixed-size memory of recently seen key hashes (a direct-mapped table, newest wins a slot): W-TinyLFU
// uses it to recall which candidates it recently turned away.

/**
 * Remembers about the last `size` hashes given to `remember`, in a table of `size` (a power of two)
 * 32-bit slots: a hash takes the slot its low bits pick, replacing whatever was there, so it is
 * forgotten when a later hash lands in the same slot. No allocation after construction; O(1).
 */
export class GhostFilter {
  /** Slots in the table. */
  readonly size: number;
  private readonly table: Int32Array;
  private readonly mask: number;

  /** A filter of `size` slots; `size` must be a power of two ≥ 1. */
  constructor(size: number) {
    if (!(Number.isInteger(size) && size >= 1 && (size & (size - 1)) === 0)) throw new Error(`size: must be a power of two >= 1, got ${String(size)}`);
    this.size = size;
    this.mask = size - 1;
    // -1 is no 30-bit key hash (they are non-negative), so an empty slot recalls nothing.
    this.table = new Int32Array(size).fill(-1);
  }

  /** Records `hash` (a non-negative 30-bit key hash). */
  remember(hash: number): void {
    this.table[hash & this.mask] = hash;
  }

  /** True when `hash` was remembered and its slot not taken since. */
  recalls(hash: number): boolean {
    return this.table[hash & this.mask] === hash;
  }

  /** Forgets every hash. */
  clear(): void {
    this.table.fill(-1);
  }
}

// Caffeine's frequency sketch: a count-min sketch of 4-bit counters, depth 4, next-pow2(capacity)
// 64-bit words in 64-byte blocks (a key's counters share one block), halved after 10 × capacity increments.


/** A 32-bit key hash, spread so that nearby integers land far apart. */
export function spreadHash(x: number): number {
  x = Math.imul((x >>> 16) ^ x, 0x45d9f3b);
  x = Math.imul((x >>> 16) ^ x, 0x45d9f3b);
  return (x >>> 16) ^ x;
}

/** Mask of a key hash: 30 bits, so hashes stay small integers (unboxed) in V8. */
export const HASH_MASK = 0x3fffffff;

/** Hashes a string or number key to 30 bits, mixed with `seed`. O(length) for strings. */
export function hashKey(key: unknown, seed: number): number {
  if (typeof key === "number") {
    // Non-negative int32 keys (the common numeric case) skip the float handling; same result.
    if ((key | 0) === key && key >= 0) return spreadHash(key ^ seed) & HASH_MASK;
    return spreadHash((Number.isInteger(key) ? key | 0 : Math.floor(key * 0x9e3779b1)) ^ seed ^ Math.floor(key / 0x100000000)) & HASH_MASK;
  }
  const s = typeof key === "string" ? key : String(key);
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return spreadHash(h) & HASH_MASK;
}

/** The least power of two ≥ n (n ≥ 1). */
function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

/** Popcount of the low bits of each nibble: how many counters in `word` are odd. */
function oddCounters(word: number): number {
  let x = word & 0x11111111;
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * An approximate, aging access counter per key hash (estimates saturate at 15). As in Caffeine 3,
 * a key's four counters share one 64-byte block (16 × 32-bit words), so a lookup touches one cache
 * line: counter i of a key lives in word pair i of its block, at a nibble picked by the hash.
 */
export class FrequencySketch {
  /** Increments between two halvings: 10 × capacity. */
  readonly sampleSize: number;
  private readonly table: Uint32Array;
  /** Blocks − 1; blocks are a power of two. */
  private readonly blockMask: number;
  private additions = 0;

  /** A sketch for a cache of `capacity` entries: next-pow2(capacity) 64-bit counters words, ≥ 8. */
  constructor(capacity: number) {
    const words64 = Math.max(nextPowerOfTwo(capacity), 8);
    this.table = new Uint32Array(words64 * 2);
    this.blockMask = (words64 >>> 3) - 1;
    this.sampleSize = 10 * Math.max(1, capacity);
  }

  /** Estimated accesses of `hash` since the last halvings: the least of its 4 counters. */
  frequency(hash: number): number {
    const table = this.table;
    const block = (spreadHash(hash) & this.blockMask) << 4;
    const counters = counterHash(hash);
    let min = 15;
    for (let i = 0; i < 4; i++) {
      const h = counters >>> (i << 3);
      const count = (table[block + (i << 2) + (h & 3)]! >>> ((h >>> 2) & 28)) & 15;
      if (count < min) min = count;
    }
    return min;
  }

  /** Counts one access of `hash`; halves every counter after `sampleSize` effective increments. */
  increment(hash: number): void {
    const table = this.table;
    const block = (spreadHash(hash) & this.blockMask) << 4;
    const counters = counterHash(hash);
    let added = false;
    for (let i = 0; i < 4; i++) {
      const h = counters >>> (i << 3);
      const index = block + (i << 2) + (h & 3);
      const shift = (h >>> 2) & 28;
      const word = table[index]!;
      if (((word >>> shift) & 15) !== 15) {
        table[index] = word + (1 << shift);
        added = true;
      }
    }
    if (added && ++this.additions === this.sampleSize) this.halve();
  }

  /** Halves every counter and the addition count, correcting for the odd counters' lost halves. */
  private halve(): void {
    let odd = 0;
    for (let i = 0; i < this.table.length; i++) {
      const word = this.table[i]!;
      odd += oddCounters(word);
      this.table[i] = (word >>> 1) & 0x77777777;
    }
    this.additions = (this.additions - (odd >>> 2)) >>> 1;
  }
}

/** A second, independent mix of `hash`: one byte per counter picks its word and nibble. */
function counterHash(hash: number): number {
  const x = Math.imul(hash ^ 0x9e3779b9, 0x31848bab);
  return x ^ (x >>> 14);
}

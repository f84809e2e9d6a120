// Caffeine's frequency sketch: a count-min sketch of 4-bit counters, depth 4, with 16 counters per
// 64-bit word and next-pow2(capacity) words, halved ("aged") after 10 × capacity increments.

const SEEDS = [0x97cb3127, 0xb4e2f2b9, 0x6e3c8a53, 0x2e6a9a1d] as const;

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

/** An approximate, aging access counter per key hash (estimates saturate at 15). */
export class FrequencySketch {
  /** Increments between two halvings: 10 × capacity. */
  readonly sampleSize: number;
  private readonly table: Uint32Array;
  private readonly wordMask: number;
  private additions = 0;

  /** A sketch for a cache of `capacity` entries. */
  constructor(capacity: number) {
    const words64 = Math.max(nextPowerOfTwo(capacity), 8);
    this.table = new Uint32Array(words64 * 2);
    this.wordMask = words64 - 1;
    this.sampleSize = 10 * Math.max(1, capacity);
  }

  /** Estimated accesses of `hash` since the last halvings: the least of its 4 counters. */
  frequency(hash: number): number {
    const start = (hash & 3) << 2;
    let min = 15;
    for (let i = 0; i < 4; i++) {
      const slot = this.slot(hash, i, start);
      const count = (this.table[slot >>> 5]! >>> (slot & 31)) & 15;
      if (count < min) min = count;
    }
    return min;
  }

  /** Counts one access of `hash`; halves every counter after `sampleSize` effective increments. */
  increment(hash: number): void {
    const start = (hash & 3) << 2;
    let added = false;
    for (let i = 0; i < 4; i++) {
      const slot = this.slot(hash, i, start);
      const index = slot >>> 5;
      const shift = slot & 31;
      const word = this.table[index]!;
      if (((word >>> shift) & 15) !== 15) {
        this.table[index] = word + (1 << shift);
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

  /** Bit offset of the i-th counter of `hash`: a word picked by a seeded hash, nibble start + i. */
  private slot(hash: number, i: number, start: number): number {
    let h = Math.imul(hash + SEEDS[i]!, SEEDS[i]!);
    h ^= h >>> 17;
    const word64 = h & this.wordMask;
    const nibble = start + i;
    return (word64 * 2 + (nibble >>> 3)) * 32 + (nibble & 7) * 4;
  }
}

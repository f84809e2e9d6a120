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

/** Bytes of the counter table of a sketch for `capacity` entries (8 per 64-bit word, ≥ 8 words). */
export function sketchTableBytes(capacity: number): number {
  return 8 * Math.max(nextPowerOfTwo(capacity), 8);
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
  /** Int32 rather than Uint32 words, so that every read and sum stays a 32-bit integer in V8. */
  private readonly table: Int32Array;
  /** Blocks − 1; blocks are a power of two. */
  private readonly blockMask: number;
  private additions = 0;

  /** A sketch for a cache of `capacity` entries: next-pow2(capacity) 64-bit counters words, ≥ 8. */
  constructor(capacity: number) {
    const words64 = Math.max(nextPowerOfTwo(capacity), 8);
    this.table = new Int32Array(words64 * 2);
    this.blockMask = (words64 >>> 3) - 1;
    this.sampleSize = 10 * Math.max(1, capacity);
  }

  /** Estimated accesses of `hash` since the last halvings: the least of its 4 counters. */
  frequency(hash: number): number {
    // Unrolled: byte i of `c` picks counter i's word (2 bits) in word pair i and its nibble (3 bits).
    const table = this.table;
    const block = (spreadHash(hash) & this.blockMask) << 4;
    const c = counterHash(hash);
    let min = (table[block + (c & 3)]! >>> ((c >>> 2) & 28)) & 15;
    const c1 = (table[block + 4 + ((c >>> 8) & 3)]! >>> ((c >>> 10) & 28)) & 15;
    if (c1 < min) min = c1;
    const c2 = (table[block + 8 + ((c >>> 16) & 3)]! >>> ((c >>> 18) & 28)) & 15;
    if (c2 < min) min = c2;
    const c3 = (table[block + 12 + ((c >>> 24) & 3)]! >>> ((c >>> 26) & 28)) & 15;
    return c3 < min ? c3 : min;
  }

  /** Counts one access of `hash`; halves every counter after `sampleSize` effective increments. */
  increment(hash: number): void {
    // The same counters as `frequency`, unrolled; a counter at 15 stays there.
    const table = this.table;
    const block = (spreadHash(hash) & this.blockMask) << 4;
    const c = counterHash(hash);
    const i0 = block + (c & 3);
    const i1 = block + 4 + ((c >>> 8) & 3);
    const i2 = block + 8 + ((c >>> 16) & 3);
    const i3 = block + 12 + ((c >>> 24) & 3);
    const s0 = (c >>> 2) & 28;
    const s1 = (c >>> 10) & 28;
    const s2 = (c >>> 18) & 28;
    const s3 = (c >>> 26) & 28;
    const w0 = table[i0]!;
    const w1 = table[i1]!;
    const w2 = table[i2]!;
    const w3 = table[i3]!;
    let added = false;
    if (((w0 >>> s0) & 15) !== 15) {
      table[i0] = (w0 + (1 << s0)) | 0;
      added = true;
    }
    if (((w1 >>> s1) & 15) !== 15) {
      table[i1] = (w1 + (1 << s1)) | 0;
      added = true;
    }
    if (((w2 >>> s2) & 15) !== 15) {
      table[i2] = (w2 + (1 << s2)) | 0;
      added = true;
    }
    if (((w3 >>> s3) & 15) !== 15) {
      table[i3] = (w3 + (1 << s3)) | 0;
      added = true;
    }
    if (added && ++this.additions === this.sampleSize) this.halve();
  }

  /** Sets every counter and the addition count to 0. */
  clear(): void {
    this.table.fill(0);
    this.additions = 0;
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

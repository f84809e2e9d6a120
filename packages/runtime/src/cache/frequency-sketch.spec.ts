import { FrequencySketch, hashKey, spreadHash } from "./frequency-sketch.js";

describe("FrequencySketch", () => {
  it("counts up to 15 per key and keeps unrelated keys near 0", () => {
    const sketch = new FrequencySketch(512);
    const hot = hashKey("hot", 1);
    for (let i = 0; i < 20; i++) sketch.increment(hot);
    for (let i = 0; i < 3; i++) sketch.increment(hashKey("warm", 1));
    expect(sketch.frequency(hot)).toBe(15);
    expect(sketch.frequency(hashKey("warm", 1))).toBe(3);
    let strays = 0;
    for (let i = 0; i < 1000; i++) strays += sketch.frequency(hashKey(`cold-${i}`, 1));
    expect(strays).toBeLessThan(20);
  });

  it("halves every counter after 10 × capacity increments", () => {
    const sketch = new FrequencySketch(16);
    expect(sketch.sampleSize).toBe(160);
    const key = hashKey(42, 0);
    for (let i = 0; i < 8; i++) sketch.increment(key);
    expect(sketch.frequency(key)).toBe(8);
    for (let i = 0; i < 151; i++) sketch.increment(hashKey(1000 + (i % 20), 0)); // 159 increments so far
    const before = sketch.frequency(key);
    sketch.increment(key); // the 160th: every counter of `key` goes up by one, then all halve
    expect(sketch.frequency(key)).toBe((before + 1) >> 1);
    expect(before).toBeGreaterThanOrEqual(8);
  });

  it("forgets every count on clear and halves again only after a full sample", () => {
    const sketch = new FrequencySketch(16);
    const key = hashKey(42, 0);
    for (let i = 0; i < 150; i++) sketch.increment(hashKey(i % 30, 0));
    for (let i = 0; i < 9; i++) sketch.increment(key);
    sketch.clear();
    expect(sketch.frequency(key)).toBe(0);
    for (let i = 0; i < 12; i++) sketch.increment(key); // 12 increments since clear: far from the 160 that halve
    expect(sketch.frequency(key)).toBe(12);
  });

  it("hashes strings and numbers to 32-bit values that depend on the seed", () => {
    expect(hashKey("a", 1)).not.toBe(hashKey("a", 2));
    expect(hashKey(7, 1)).toBe(hashKey(7, 1));
    expect(Number.isInteger(hashKey("x".repeat(100), 3))).toBe(true);
  });

  it("keeps the same counters as a plain count-min sketch of its documented layout, estimate by estimate", () => {
    // Reference: block = spread hash's low bits; counter i in word pair i, its word and nibble from byte i of a second mix.
    const capacity = 1024;
    const blocks = capacity / 8;
    const counts = new Uint8Array(blocks * 16 * 8); // one byte per 4-bit counter
    const counter = (hash: number, i: number): number => {
      const mixed = Math.imul(hash ^ 0x9e3779b9, 0x31848bab);
      const byte = ((mixed ^ (mixed >>> 14)) >>> (8 * i)) & 0xff;
      const word = (spreadHash(hash) & (blocks - 1)) * 16 + 4 * i + (byte & 3);
      return word * 8 + ((byte >>> 4) & 7);
    };
    const reference = (hash: number): number => Math.min(...[0, 1, 2, 3].map((i) => counts[counter(hash, i)]!));
    const sketch = new FrequencySketch(capacity);
    let seen = 0;
    for (let n = 0; n < 5000; n++) {
      // Fewer than 10 × capacity increments: no halving.
      const hash = hashKey(n % 700, 3);
      for (let i = 0; i < 4; i++) counts[counter(hash, i)] = Math.min(15, counts[counter(hash, i)]! + 1);
      sketch.increment(hash);
      seen += sketch.frequency(hash);
      expect(sketch.frequency(hash)).toBe(reference(hash));
    }
    expect(seen).toBeGreaterThan(20_000); // estimates grow well past 1
  });
});


import { FrequencySketch, hashKey } from "./frequency-sketch.js";

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

  it("hashes strings and numbers to 32-bit values that depend on the seed", () => {
    expect(hashKey("a", 1)).not.toBe(hashKey("a", 2));
    expect(hashKey(7, 1)).toBe(hashKey(7, 1));
    expect(Number.isInteger(hashKey("x".repeat(100), 3))).toBe(true);
  });
});

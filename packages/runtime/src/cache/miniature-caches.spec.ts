// MiniatureCaches against its definition: each miniature hits exactly when a fixed-window W-TinyLFU
// store of the same size and window share, keyed by the same hashes, would.
import fc from "fast-check";
import { MiniatureCaches } from "./miniature-caches.js";
import { createTinyLfuStore } from "./tinylfu-store.js";

const noJitter = () => 0.5; // the stores' random admission of warm candidates never fires

/** Fixed-window stores that hash a key to itself: the reference the miniatures must match. */
function referenceStores(capacity: number, shares: readonly number[], sketchEntries: number) {
  return shares.map((windowShare) =>
    createTinyLfuStore<number, true>({ maxEntries: capacity, maxBytes: 0, now: () => 0, climber: "fixed", windowShare, sketchEntries, sketchStart: "half-full", random: noJitter, hash: (key) => key }),
  );
}

describe("MiniatureCaches", () => {
  it("sizes each miniature's window and protected segment as the store does", () => {
    const minis = new MiniatureCaches(100, [0.01, 0.25, 0.8], 100);
    expect(minis.windowMaximums).toEqual([1, 25, 81]); // (1 − 0.8) × 100 rounds down to 19 in floating point
    expect(minis.protectedMaximums).toEqual([79, 60, 15]);
    const [small, , large] = referenceStores(100, [0.01, 0.25, 0.8], 100);
    expect([small!.windowMaximum, small!.protectedMaximum, large!.windowMaximum, large!.protectedMaximum]).toEqual([1, 79, 81, 15]);
  });

  it("re-reads 20 new keys later hit in a 52-entry window and mostly miss behind a 1-entry one", () => {
    const minis = new MiniatureCaches(64, [0.01, 0.8], 64);
    const hits = [0, 0];
    for (let i = 0; i < 2000; i++) {
      minis.access(1000 + i);
      if (i < 20) continue;
      const mask = minis.access(1000 + i - 20); // second and last read of key i − 20
      if (i >= 200) for (const m of [0, 1]) hits[m]! += (mask >>> m) & 1;
    }
    expect(hits[1]).toBe(1800); // every re-read: at most 39 reads since, all in the window
    expect(hits[0]).toBeLessThan(180); // a once-read candidate rarely beats a main victim
  });

  it("matches fixed-window stores keyed by the same hashes, access by access", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.subarray([0.01, 0.1, 0.25, 0.5, 0.8, 0.99], { minLength: 1 }),
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 1500 }),
        (capacity, shares, sketchEntries, keys) => {
          const minis = new MiniatureCaches(capacity, shares, sketchEntries);
          const stores = referenceStores(capacity, shares, sketchEntries);
          for (const key of keys) {
            let expected = 0;
            stores.forEach((store, i) => {
              if (store.get(key) !== undefined) expected |= 1 << i;
              else store.set(key, true, 1, Infinity);
            });
            expect(minis.access(key)).toBe(expected);
          }
          expect(minis.keys).toBe(new Set(stores.flatMap((s) => [...s.keys()])).size);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("frees a key's node once no miniature holds it, and reset() empties every miniature", () => {
    const minis = new MiniatureCaches(8, [0.25, 0.5], 8);
    for (let i = 0; i < 5000; i++) minis.access((i * 7919) % 997);
    expect(minis.keys).toBeLessThanOrEqual(16);
    minis.reset();
    expect(minis.keys).toBe(0);
    expect(minis.access(5)).toBe(0);
    expect(minis.access(5)).toBe(0b11);
  });

  it("rejects bad configuration naming the field", () => {
    expect(() => new MiniatureCaches(0, [0.5], 8)).toThrow(/capacity: must be an integer >= 1, got 0/);
    expect(() => new MiniatureCaches(8, [], 8)).toThrow(/windowShares: must hold 1 to 8 shares, got 0/);
    expect(() => new MiniatureCaches(8, [1], 8)).toThrow(/windowShares: each must be in \(0, 1\), got 1/);
    expect(() => new MiniatureCaches(8, [0.5], 0.5)).toThrow(/sketchEntries: must be an integer >= 1, got 0.5/);
  });
});

// IntIndex against a Map: every get, insert and delete of a random workload answers as the Map does,
// including deletions in the middle of long probe runs (keys built to share a home slot).
import fc from "fast-check";
import { ABSENT_KEY, IntIndex } from "./int-index.js";

describe("IntIndex", () => {
  it("rejects a limit that is not an integer >= 1", () => {
    expect(() => new IntIndex(0)).toThrow(/limit: must be an integer >= 1, got 0/);
    expect(() => new IntIndex(2.5)).toThrow(/limit: must be an integer >= 1, got 2.5/);
  });

  it("finds inserted keys, forgets deleted ones and refuses a key past its limit", () => {
    const index = new IntIndex(3);
    index.insert(7, 70);
    index.insert(0, 1);
    index.insert(2 ** 30, 5);
    expect([index.get(7), index.get(0), index.get(2 ** 30), index.get(8)]).toEqual([70, 1, 5, ABSENT_KEY]);
    expect(() => index.insert(9, 9)).toThrow(/more than 3 keys/);
    expect(index.delete(0)).toBe(true);
    expect(index.delete(0)).toBe(false);
    expect([index.size, index.get(0), index.get(7)]).toEqual([2, ABSENT_KEY, 70]);
    index.clear();
    expect([index.size, index.get(7)]).toEqual([0, ABSENT_KEY]);
  });

  it("keeps every other key reachable whichever key of a full index is deleted", () => {
    // In a 16-slot table (limit 8), keys 1, 22, 43 and 56 share a home slot and 14, 27 and 35 have
    // the next one: one long probe run, which a deletion inside must shift back.
    const keys = [1, 22, 14, 43, 27, 56, 35, 2 ** 31 - 1];
    for (const gone of keys) {
      const index = new IntIndex(8);
      keys.forEach((key, i) => index.insert(key, i));
      index.delete(gone);
      expect(keys.map((key) => index.get(key))).toEqual(keys.map((key, i) => (key === gone ? ABSENT_KEY : i)));
    }
  });

  it("answers as a Map does over random inserts and deletes", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 })), { maxLength: 400 }), (ops) => {
        const index = new IntIndex(16);
        const reference = new Map<number, number>();
        ops.forEach(([insert, small], step) => {
          const key = small * 0x1000001; // spread over the int32 range, many sharing low bits
          if (insert && !reference.has(key) && reference.size < 16) {
            index.insert(key, step);
            reference.set(key, step);
          } else {
            expect(index.delete(key)).toBe(reference.delete(key));
          }
          for (let k = 0; k <= 40; k++) expect(index.get(k * 0x1000001)).toBe(reference.get(k * 0x1000001) ?? ABSENT_KEY);
          expect(index.size).toBe(reference.size);
        });
      }),
      { numRuns: 200 },
    );
  });
});

import { createArcStore } from "./arc-store.js";

/** An ARC store with c = 2, the keys it evicted, and a request function (get, set on a miss). */
function arcOfTwo() {
    const evicted: string[] = [];
    const s = createArcStore<string, number>({ maxEntries: 2, maxBytes: 0, now: () => 0, onRemove: (k, _v, c) => c === "evicted" && evicted.push(k) });
    const request = (k: string): boolean => {
      if (s.get(k) !== undefined) return true;
      s.set(k, 1, 1, Infinity);
      return false;
    };
  return { s, evicted, request };
}

describe("createArcStore", () => {
  it("follows Megiddo & Modha's cases I–IV, REPLACE and δ rules exactly (c = 2)", () => {
    const { s, evicted, request } = arcOfTwo();
    expect(request("A")).toBe(false); // IV-B: T1 = [A]
    expect(request("B")).toBe(false); // T1 = [A, B]
    expect(request("A")).toBe(true); // I: T1 = [B], T2 = [A]
    expect(request("C")).toBe(false); // IV-B, REPLACE: |T1| = 1 > p = 0 → B to B1
    expect(evicted).toEqual(["B"]);
    expect(request("B")).toBe(false); // II: δ1 = 1, p = 1; REPLACE: |T1| = 1 not > 1 → A to B2
    expect(s.target).toBe(1);
    expect(evicted).toEqual(["B", "A"]);
    expect(request("A")).toBe(false); // III: δ2 = 1, p = 0; REPLACE → C to B1
    expect(s.target).toBe(0);
    expect(evicted).toEqual(["B", "A", "C"]);
    expect(request("D")).toBe(false); // IV-B: T1 empty → LRU of T2 (B) to B2
    expect(evicted).toEqual(["B", "A", "C", "B"]);
    expect([...s.keys()].sort()).toEqual(["A", "D"]);
  });

  it("moves ghosts back into T2 and re-targets p on each ghost hit (continuing the trace)", () => {
    const { s, evicted, request } = arcOfTwo();
    for (const k of ["A", "B", "A", "C", "B", "A", "D"]) request(k);
    // T1 = [D], T2 = [A], B1 = [C], B2 = [B], p = 0.
    evicted.length = 0;
    expect(request("B")).toBe(false); // III: p = max(0 − 1, 0) = 0; REPLACE with x ∈ B2: |T1| = 1 > 0 → D to B1
    expect(s.target).toBe(0);
    expect(request("C")).toBe(false); // II: |B1| = 2 ≥ |B2| = 0 → δ1 = 1, p = 1; REPLACE: T1 empty → A (T2 LRU) to B2
    expect(s.target).toBe(1);
    expect(request("A")).toBe(false); // III: p = 0; REPLACE: T1 empty → B to B2
    expect(s.target).toBe(0);
    expect(evicted).toEqual(["D", "A", "B"]);
    expect(request("C")).toBe(true);
    expect([...s.keys()].sort()).toEqual(["A", "C"]);
  });

  it("never holds more than c entries under a long stream, p staying within [0, c]", () => {
    const s = createArcStore<number, number>({ maxEntries: 10, maxBytes: 0, now: () => 0 });
    let most = 0;
    for (let i = 0; i < 10_000; i++) {
      const k = (i * 7919) % 503 < 40 ? i % 13 : (i * 7919) % 503;
      if (s.get(k) === undefined) s.set(k, 1, 1, Infinity);
      most = Math.max(most, s.entries);
      if (s.target < 0 || s.target > 10) throw new Error(`p out of range: ${s.target}`);
    }
    expect(most).toBe(10);
  });
});

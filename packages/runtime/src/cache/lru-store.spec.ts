import { createLruStore } from "./lru-store.js";
import type { RemovalCause } from "./cache-store.js";

function recorder() {
  const removed: Array<[string, RemovalCause]> = [];
  return { removed, onRemove: (key: string, _v: number, cause: RemovalCause) => removed.push([key, cause]) };
}

describe("createLruStore", () => {
  it("evicts the least recently used key, in exact order", () => {
    const { removed, onRemove } = recorder();
    const store = createLruStore<string, number>({ maxEntries: 3, maxBytes: 0, now: () => 0, onRemove });
    for (const k of ["a", "b", "c"]) store.set(k, 1, 1, Infinity);
    expect(store.get("a")).toBe(1); // order b, c, a
    store.set("d", 1, 1, Infinity); // evicts b
    expect(store.get("c")).toBe(1); // order a, d, c
    store.set("e", 1, 1, Infinity); // evicts a
    store.set("f", 1, 1, Infinity); // evicts d
    expect(removed).toEqual([["b", "evicted"], ["a", "evicted"], ["d", "evicted"]]);
    expect([...store.keys()].sort()).toEqual(["c", "e", "f"]);
  });

  it("peek does not count as a use", () => {
    const store = createLruStore<string, number>({ maxEntries: 2, maxBytes: 0, now: () => 0 });
    store.set("a", 1, 1, Infinity);
    store.set("b", 2, 1, Infinity);
    expect(store.peek("a")).toBe(1);
    store.set("c", 3, 1, Infinity);
    expect(store.peek("a")).toBeUndefined();
    expect(store.peek("b")).toBe(2);
  });

  it("evicts by bytes until the byte bound holds, and refuses an entry larger than the bound", () => {
    const { removed, onRemove } = recorder();
    const store = createLruStore<string, number>({ maxEntries: 0, maxBytes: 100, now: () => 0, onRemove });
    store.set("a", 1, 40, Infinity);
    store.set("b", 1, 40, Infinity);
    store.set("c", 1, 70, Infinity); // 150 bytes: a then b go
    expect(removed).toEqual([["a", "evicted"], ["b", "evicted"]]);
    expect(store.bytes).toBe(70);
    expect(store.set("huge", 1, 101, Infinity)).toBe(false);
    expect(store.peek("huge")).toBeUndefined();
    expect(store.bytes).toBe(70);
  });

  it("expires entries at their TTL against the injected clock", () => {
    let now = 1000;
    const { removed, onRemove } = recorder();
    const store = createLruStore<string, number>({ maxEntries: 10, maxBytes: 0, now: () => now, onRemove });
    store.set("a", 1, 1, 50);
    now = 1049;
    expect(store.get("a")).toBe(1);
    now = 1050;
    expect(store.get("a")).toBeUndefined();
    expect(removed).toEqual([["a", "expired"]]);
    expect(store.entries).toBe(0);
  });

  it("accounts a replaced value's new size and reports the replacement", () => {
    const { removed, onRemove } = recorder();
    const store = createLruStore<string, number>({ maxEntries: 10, maxBytes: 0, now: () => 0, onRemove });
    store.set("a", 1, 10, Infinity);
    store.set("a", 2, 25, Infinity);
    expect(store.bytes).toBe(25);
    expect(store.get("a")).toBe(2);
    expect(removed).toEqual([["a", "replaced"]]);
  });

  it("rejects bad bounds naming the field", () => {
    expect(() => createLruStore({ maxEntries: 0, maxBytes: 0, now: () => 0 })).toThrow(/maxEntries, maxBytes: at least one/);
    expect(() => createLruStore({ maxEntries: 1.5, maxBytes: 0, now: () => 0 })).toThrow(/maxEntries: must be an integer >= 0, got 1.5/);
    expect(() => createLruStore({ maxEntries: 1, maxBytes: -1, now: () => 0 })).toThrow(/maxBytes: must be a finite number >= 0/);
  });
});

import { createLfuStore } from "./lfu-store.js";

function store(maxEntries: number) {
  const evicted: string[] = [];
  const s = createLfuStore<string, number>({ maxEntries, maxBytes: 0, now: () => 0, onRemove: (k, _v, cause) => cause === "evicted" && evicted.push(k) });
  return { s, evicted };
}

describe("createLfuStore", () => {
  it("evicts the least frequently used key", () => {
    const { s, evicted } = store(2);
    s.set("a", 1, 1, Infinity);
    s.set("b", 1, 1, Infinity);
    s.get("a"); // a: 2, b: 1
    s.set("c", 1, 1, Infinity); // evicts b
    s.get("c");
    s.get("c"); // a: 2, c: 3
    s.set("d", 1, 1, Infinity); // evicts a
    expect(evicted).toEqual(["b", "a"]);
    expect([...s.keys()].sort()).toEqual(["c", "d"]);
  });

  it("breaks frequency ties by least recent use", () => {
    const { s, evicted } = store(3);
    for (const k of ["x", "y", "z"]) s.set(k, 1, 1, Infinity);
    s.get("x");
    s.get("y");
    s.get("z"); // all at 2, x least recent
    s.set("w", 1, 1, Infinity);
    expect(evicted).toEqual(["x"]);
    s.set("v", 1, 1, Infinity); // w (1) is the least frequent
    expect(evicted).toEqual(["x", "w"]);
  });

  it("keeps its buckets consistent through deletes", () => {
    const { s, evicted } = store(2);
    s.set("a", 1, 1, Infinity);
    s.get("a");
    s.set("b", 1, 1, Infinity);
    expect(s.delete("a")).toBe(true);
    s.set("c", 1, 1, Infinity);
    s.set("d", 1, 1, Infinity); // b and c both 1, b older
    expect(evicted).toEqual(["b"]);
  });
});

import { NO_SLOT, SlotArena } from "./slot-arena.js";

/** Keys of `queue` from least to most recent, walking `next`. */
function order(arena: SlotArena<string, number>, queue: number): string[] {
  const out: string[] = [];
  for (let s = arena.heads[queue]!; s !== NO_SLOT; s = arena.next[s]!) out.push(arena.keys[s]!);
  return out;
}

describe("SlotArena", () => {
  it("keeps each queue in push order and moves a touched slot to the recent end", () => {
    const arena = new SlotArena<string, number>(2, 4);
    const [a, b, c] = ["a", "b", "c"].map((k, i) => arena.allocate(k, i, 1, Infinity, i));
    for (const s of [a!, b!, c!]) arena.push(0, s);
    arena.touch(a!);
    expect(order(arena, 0)).toEqual(["b", "c", "a"]);
    arena.move(c!, 1);
    expect(order(arena, 0)).toEqual(["b", "a"]);
    expect(order(arena, 1)).toEqual(["c"]);
    expect(arena.tails[0]).toBe(a);
    expect(arena.queueOf[c!]).toBe(1);
  });

  it("reuses released slots before new ones and drops their key and value", () => {
    const arena = new SlotArena<string, number>(1, 4);
    const a = arena.allocate("a", 1, 10, 5, 7);
    const b = arena.allocate("b", 2, 20, 6, 8);
    arena.push(0, a);
    arena.push(0, b);
    arena.unlink(a);
    arena.release(a);
    expect(arena.keys[a]).toBeUndefined();
    expect(arena.values[a]).toBeUndefined();
    expect(arena.allocate("c", 3, 30, 9, 9)).toBe(a);
    expect([arena.sizes[a], arena.expiresAt[a], arena.hashes[a]]).toEqual([30, 9, 9]);
  });

  it("grows past its initial room keeping every slot's fields and links", () => {
    const arena = new SlotArena<string, number>(1, 4);
    for (let i = 0; i < 100; i++) arena.push(0, arena.allocate(`k${i}`, i, i, Infinity, i));
    expect(order(arena, 0)).toEqual(Array.from({ length: 100 }, (_, i) => `k${i}`));
    expect(arena.sizes[99]).toBe(99);
    expect(arena.expiresAt[3]).toBe(Infinity);
  });

  it("reset empties every queue and hands out slot 0 again", () => {
    const arena = new SlotArena<string, number>(2, 4);
    arena.push(1, arena.allocate("a", 1, 1, Infinity, 0));
    arena.reset();
    expect(order(arena, 1)).toEqual([]);
    expect(arena.allocate("b", 2, 1, Infinity, 0)).toBe(0);
  });
});

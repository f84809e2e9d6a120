import { createSeededRandom } from "../channel/pickers/testing.js";
import { createTinyLfuStore } from "./tinylfu-store.js";
import { createHillClimber } from "./window-climber.js";
import { createMiniatureClimber, followedMiniature } from "./miniature-climber.js";

const noJitter = () => 0.5; // floor(0.5 × 128) ≠ 0: the random admission never fires

function warmStore(random = noJitter) {
  const evicted: number[] = [];
  const store = createTinyLfuStore<number, number>({
    maxEntries: 10, maxBytes: 0, now: () => 0, climber: "fixed", random,
    onRemove: (k, _v, cause) => cause === "evicted" && evicted.push(k),
  });
  for (let k = 1; k <= 10; k++) store.set(k, k, 1, Infinity);
  for (let round = 0; round < 3; round++) for (let k = 1; k <= 9; k++) store.get(k);
  return { store, evicted };
}

describe("createTinyLfuStore", () => {
  it("sizes regions as Caffeine does: 1 % window, main 80 % protected / 20 % probation", () => {
    const store = createTinyLfuStore<number, number>({ maxEntries: 1000, maxBytes: 0, now: () => 0 });
    expect(store.windowMaximum).toBe(10);
    expect(store.protectedMaximum).toBe(792);
  });

  it("rejects a candidate no warmer than the probation victim", () => {
    const { store, evicted } = warmStore();
    expect(store.regionOf(10)).toBe("window");
    store.set(100, 100, 1, Infinity); // 10 leaves the window as the candidate, seen once
    expect(evicted).toEqual([10]);
    expect(store.regionOf(100)).toBe("window");
    for (let k = 1; k <= 9; k++) expect(store.peek(k)).toBe(k);
  });

  it("admits a candidate warmer than the victim, evicting the probation LRU", () => {
    const { store, evicted } = warmStore();
    store.set(100, 100, 1, Infinity);
    for (let i = 0; i < 5; i++) store.get(100); // 100 now warmer than any of 1..9
    const probation = [1, 2, 3, 4, 5, 6, 7, 8, 9].filter((k) => store.regionOf(k) === "probation");
    expect(probation.length).toBeGreaterThan(0);
    store.set(101, 101, 1, Infinity);
    expect(evicted).toEqual([10, probation[0]]);
    expect(store.regionOf(100)).toBe("probation");
    expect(store.regionOf(101)).toBe("window");
  });

  it("lets a warm candidate through 1 time in 128 at random (hash-flooding defence)", () => {
    const run = (random: () => number) => {
      const store = createTinyLfuStore<number, number>({ maxEntries: 10, maxBytes: 0, now: () => 0, climber: "fixed", random });
      for (let k = 1; k <= 10; k++) store.set(k, k, 1, Infinity);
      for (let round = 0; round < 15; round++) for (let k = 1; k <= 9; k++) store.get(k); // victims at 15
      store.set(100, 100, 1, Infinity);
      for (let i = 0; i < 7; i++) store.get(100); // candidate at 8 ≥ 6, colder than the victims
      store.set(101, 101, 1, Infinity);
      return store.regionOf(100);
    };
    expect(run(() => 0.5)).toBeUndefined();
    expect(run(() => 0)).toBe("probation");
  });

  it("climbs: Caffeine's climber moves the window after each sample of 10 × capacity reads", () => {
    const store = createTinyLfuStore<number, number>({ maxEntries: 100, maxBytes: 0, now: () => 0, climber: "caffeine", random: noJitter, sketchEntries: 100 });
    for (let k = 0; k < 100; k++) store.set(k, k, 1, Infinity);
    const windows = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const k = (i * 31) % 150;
      if (store.get(k) === undefined) store.set(k, k, 1, Infinity);
      windows.add(store.windowMaximum);
      if (store.entries > 100) throw new Error("over the entry bound");
    }
    expect(windows.size).toBeGreaterThan(1);
  });

  it("holds the byte bound with byte-weighted regions when only maxBytes is set", () => {
    const store = createTinyLfuStore<number, number>({ maxEntries: 0, maxBytes: 1000, now: () => 0, random: noJitter });
    for (let i = 0; i < 2000; i++) {
      if (store.get(i % 97) === undefined) store.set(i % 97, i, 10 + (i % 50), Infinity);
      if (store.bytes > 1000) throw new Error(`bytes ${store.bytes} > 1000`);
    }
    expect(store.bytes).toBeGreaterThan(500);
  });

  it("ages a small cache's sketch over 10 × 512 increments by default, Caffeine's 10 × capacity when asked", () => {
    const count = (sketchEntries?: number) => {
      const store = createTinyLfuStore<number, number>({ maxEntries: 10, maxBytes: 0, now: () => 0, climber: "fixed", random: noJitter, sketchEntries });
      const read = (k: number) => store.get(k) ?? store.set(k, k, 1, Infinity);
      for (let k = 0; k < 10; k++) read(-1 - k); // full: the sketch is on
      for (let i = 0; i < 300; i++) {
        read(i); // 300 one-off keys…
        if (i % 25 === 0) read(1_000_000); // …and 12 reads of one warm key
      }
      return store.frequency(1_000_000);
    };
    expect(count()).toBe(12);
    expect(count(10)).toBeLessThan(12); // halved three times in 322 increments
  });

  it("sizes and ages the sketch for twice its capacity from 512 entries: no halving before 20 × capacity increments", () => {
    const warmCount = (maxEntries: number, oneOffs: number) => {
      const store = createTinyLfuStore<number, number>({ maxEntries, maxBytes: 0, now: () => 0, climber: "fixed", random: noJitter });
      const read = (k: number) => store.get(k) ?? store.set(k, k, 1, Infinity);
      for (let i = 0; i < 12; i++) read(-1); // one warm key, counted 12 times
      for (let k = 0; k < oneOffs; k++) read(k); // one increment each
      return store.frequency(-1);
    };
    // Estimates may exceed 12 by a collision; a halving takes them to about 6.
    expect(warmCount(1000, 10_500)).toBeGreaterThanOrEqual(12); // 10,512 increments: Caffeine's 10 × 1,000 would have halved it
    expect(warmCount(1000, 20_500)).toBeLessThanOrEqual(8); // past 20 × 1,000
    expect(warmCount(511, 5_500)).toBeLessThanOrEqual(8); // under 512 entries: the 512-entry floor, halved past 5,120
  });

  it("counts from the first access in a small cache, from half full in a large one or when asked", () => {
    const counts = (options: { maxEntries: number; sketchStart?: "first-access" | "half-full" }) => {
      const store = createTinyLfuStore<number, number>({ maxBytes: 0, now: () => 0, climber: "fixed", random: noJitter, ...options });
      store.set(7, 7, 1, Infinity);
      store.get(7);
      store.get(7);
      return store.frequency(7);
    };
    expect(counts({ maxEntries: 1000 })).toBe(3); // 8 KiB table: counts the insertion and both reads
    expect(counts({ maxEntries: 65_536 })).toBe(3); // sketch for 131,072 entries: 1 MiB, the largest started with the store
    expect(counts({ maxEntries: 65_537 })).toBe(0); // 2 MiB table: waits for 32,769 entries, as Caffeine
    expect(counts({ maxEntries: 1000, sketchStart: "half-full" })).toBe(0);
  });

  it("forgets every count on clear() and counts again from the next access", () => {
    const store = createTinyLfuStore<number, number>({ maxEntries: 1000, maxBytes: 0, now: () => 0, climber: "fixed", random: noJitter });
    store.set(7, 7, 1, Infinity);
    store.get(7);
    store.clear();
    expect(store.frequency(7)).toBe(0);
    store.set(7, 7, 1, Infinity);
    expect(store.frequency(7)).toBe(1);
  });

  it("keeps a key read before the cache was half full against a candidate read once", () => {
    // 10 entries, window 1. Key 0 is read 3 times while the cache fills, keys 1–9 once; at key 10 the
    // window's oldest (9) is the candidate against probation's oldest (0). Counted from the first
    // access, key 0 (3) beats the candidate (1) and stays; a sketch started at half full (5 entries)
    // never saw key 0, so the candidate (1 > 0) wins and key 0 is evicted.
    const keeps = (sketchStart: "first-access" | "half-full") => {
      const store = createTinyLfuStore<number, number>({ maxEntries: 10, maxBytes: 0, now: () => 0, climber: "fixed", random: noJitter, sketchStart });
      const read = (k: number) => store.get(k) ?? store.set(k, k, 1, Infinity);
      read(0);
      read(0);
      read(0);
      for (let k = 1; k <= 9; k++) read(k);
      read(10);
      return store.regionOf(0);
    };
    expect(keeps("first-access")).toBe("probation");
    expect(keeps("half-full")).toBeUndefined();
  });

  it("rejects a sketch start that is not one of its two values, naming the field", () => {
    expect(() => createTinyLfuStore({ maxEntries: 1, maxBytes: 0, now: () => 0, sketchStart: "later" as never })).toThrow(/sketchStart: must be "first-access" or "half-full", got later/);
  });

  it("rejects a sketch size that is not a positive integer, naming the field", () => {
    expect(() => createTinyLfuStore({ maxEntries: 1, maxBytes: 0, now: () => 0, sketchEntries: 0 })).toThrow(/sketchEntries: must be an integer >= 1, got 0/);
  });

  it("rejects an unknown climber naming the field", () => {
    expect(() => createTinyLfuStore({ maxEntries: 1, maxBytes: 0, now: () => 0, climber: "x" as never })).toThrow(/climber: must be "miniature", "caffeine" or "fixed", got x/);
  });
});

describe("createHillClimber", () => {
  it("steps down first, keeps direction while the hit ratio rises, reverses when it falls", () => {
    const climber = createHillClimber<number>(100, 10);
    const sample = (hits: number) => {
      let step = 0;
      for (let i = 0; i < 10; i++) step = climber.record(i, 0, i < hits, true, 0);
      return step;
    };
    expect(sample(5)).toBe(-6); // first sample: rise from 0 → keep the initial −6.25 step
    expect(sample(8)).toBe(-6); // rose by 0.3 ≥ 0.05: restart at 6.25 in the same direction
    expect(sample(2)).toBe(6); // fell: reverse
  });

  it("restarts while the sketch is off", () => {
    const climber = createHillClimber<number>(100, 10);
    for (let i = 0; i < 100; i++) expect(climber.record(i, 0, true, false, 0)).toBe(0);
  });
});

/** Reads of a recency-heavy stream: each key read twice, 20 new keys apart (hash = key, all sampled). */
function rereadStep(climber: ReturnType<typeof createMiniatureClimber<number>>, i: number, window: number): number {
  const key = i >> 1;
  const k = i & 1 ? Math.max(0, key - 20) : key;
  return climber.record(k, k, false, true, window);
}

describe("createMiniatureClimber", () => {
  it("moves the window to the share whose miniature hits most: 80 % when keys come back 20 reads later", () => {
    const climber = createMiniatureClimber<number>(1000, 1000, 1000); // 63-entry miniatures, windows 1 / 16 / 51
    let step = 0;
    let reads = 0;
    for (; reads < 10_000 && step === 0; reads++) step = rereadStep(climber, reads, 10);
    expect(step).toBe(800 - 10); // share 0.8 of 1000, from a window of 10
    expect(reads).toBe(630); // after one period: 10 × 63 sampled reads
  });
});

describe("createMiniatureClimber sampling", () => {
  it("samples 1 key in 16 at 1,000 entries and 1 in 64 from 4,096 entries up", () => {
    const slice = 2 ** 30; // 30-bit key hashes
    expect(createMiniatureClimber<number>(1000, 1000, 1000).sampledBelow).toBe(slice / 16);
    expect(createMiniatureClimber<number>(2000, 2000, 2000).sampledBelow).toBe(Math.floor(slice * 0.032));
    expect(createMiniatureClimber<number>(10_000, 10_000, 10_000).sampledBelow).toBe(slice / 64);
  });
});

describe("followedMiniature", () => {
  it("switches only to a miniature scoring more than 1 % above the one followed", () => {
    expect(followedMiniature([1000, 1009, 1005], 0)).toBe(0); // 0.9 % better: stay
    expect(followedMiniature([1000, 1011, 1005], 0)).toBe(1);
    expect(followedMiniature([1000, 1000, 2000], 1)).toBe(2);
    expect(followedMiniature([0, 0, 0], 2)).toBe(2);
    expect(followedMiniature([5, 0, 0], 2)).toBe(0);
  });
});

describe("W-TinyLFU window moves", () => {
  it("carries a move larger than 1,000 entries over the next reads, 1,000 at a time, as Caffeine does", () => {
    // 4,000 entries: 125-entry miniatures; keys come back 1,000 new keys later, which only the 80 % window keeps.
    const store = createTinyLfuStore<number, number>({ maxEntries: 4000, maxBytes: 0, now: () => 0, random: noJitter });
    const windows = [store.windowMaximum];
    for (let i = 0; i < 400_000 && windows.at(-1) !== 3200; i++) {
      const key = i & 1 ? Math.max(0, (i >> 1) - 1000) : i >> 1;
      if (store.get(key) === undefined) store.set(key, key, 1, Infinity);
      if (store.windowMaximum !== windows.at(-1)) windows.push(store.windowMaximum);
      if (store.entries > 4000) throw new Error("over the entry bound");
    }
    expect(windows).toEqual([40, 1040, 2040, 3040, 3200]);
  });
});

describe("W-TinyLFU ghost history", () => {
  /** A full 512-entry store (the least with a ghost history) whose keys 1 … 512 were each read 3 times. */
  function warmLargeStore(entries: number) {
    const evicted: number[] = [];
    const store = createTinyLfuStore<number, number>({
      maxEntries: entries, maxBytes: 0, now: () => 0, climber: "fixed", random: noJitter,
      hash: (key) => key, // ghost slots are then key mod 64: 10,000 shares one with no other key here
      onRemove: (k, _v, cause) => cause === "evicted" && evicted.push(k),
    });
    for (let k = 1; k <= entries; k++) store.set(k, k, 1, Infinity);
    for (let round = 0; round < 3; round++) for (let k = 1; k <= entries; k++) store.get(k);
    return { store, evicted };
  }
  /** Reads `key` (a miss: stored), then 6 new keys, so that it leaves the 6-entry window. */
  function passThroughWindow(store: ReturnType<typeof warmLargeStore>["store"], key: number, fresh: number) {
    store.set(key, key, 1, Infinity);
    for (let i = 0; i < 6; i++) store.set(fresh + i, fresh + i, 1, Infinity);
  }

  it("admits a candidate turned away lately when it comes back, though colder than the victim", () => {
    const { store, evicted } = warmLargeStore(512);
    passThroughWindow(store, 10_000, 20_000);
    expect(evicted).toContain(10_000); // seen once: turned away
    const warmEvicted = evicted.filter((k) => k <= 512).length;
    passThroughWindow(store, 10_000, 30_000);
    expect(store.frequency(10_000)).toBeLessThan(store.frequency(7)); // 2 reads against 3
    expect(store.regionOf(10_000)).toBe("probation"); // let in all the same
    expect(evicted.filter((k) => k <= 512)).toHaveLength(warmEvicted + 1); // its victim
  });

  it("forgets its ghost history on clear()", () => {
    const { store, evicted } = warmLargeStore(512);
    passThroughWindow(store, 10_000, 20_000);
    store.clear();
    for (let k = 1; k <= 512; k++) store.set(k, k, 1, Infinity);
    for (let round = 0; round < 3; round++) for (let k = 1; k <= 512; k++) store.get(k);
    passThroughWindow(store, 10_000, 30_000); // first visit since clear(): turned away
    expect(store.regionOf(10_000)).toBeUndefined();
    expect(evicted.filter((k) => k === 10_000)).toHaveLength(2);
  });

  it("keeps no ghost history under 512 entries: the returning candidate is turned away again", () => {
    const { store, evicted } = warmLargeStore(511);
    passThroughWindow(store, 10_000, 20_000);
    passThroughWindow(store, 10_000, 30_000);
    expect(store.regionOf(10_000)).toBeUndefined();
    expect(evicted.filter((k) => k === 10_000)).toHaveLength(2);
  });
});

describe("createMiniatureClimber below 512 entries", () => {
  it("never moves the window when the miniatures would hold under 32 entries", () => {
    const small = createMiniatureClimber<number>(500, 500, 512); // 500 / 16 ≈ 31 entries
    let steps = 0;
    for (let i = 0; i < 100_000; i++) steps += Math.abs(rereadStep(small, i, 5));
    expect(steps).toBe(0);
    const least = createMiniatureClimber<number>(512, 512, 512); // 512 / 16 = 32 entries
    let moved = false;
    for (let i = 0; i < 100_000 && !moved; i++) moved = rereadStep(least, i, 5) !== 0;
    expect(moved).toBe(true);
  });
});

describe("W-TinyLFU eviction of a full entry-counted cache", () => {
  it("evicts exactly as a byte-bounded store of the same regions (the general eviction loop), key by key", () => {
    // Entry-counted stores take a shortcut for the usual one-in, one-out eviction; a store bounded
    // by bytes alone, every size 1, has the same regions and sketch but always runs the general loop.
    const capacity = 200;
    const make = (bounds: { maxEntries: number; maxBytes: number }) => {
      const removed: string[] = [];
      const store = createTinyLfuStore<number, number>({
        ...bounds, now: () => 0, climber: "fixed", sketchEntries: 512, random: createSeededRandom(7),
        onRemove: (k, _v, cause) => removed.push(`${cause}:${k}`),
      });
      return { store, removed };
    };
    const byEntries = make({ maxEntries: capacity, maxBytes: 0 });
    const byBytes = make({ maxEntries: 0, maxBytes: capacity });
    const random = createSeededRandom(8);
    const replay = (store: typeof byEntries.store, keys: readonly number[]): string =>
      keys.map((key) => (store.get(key) !== undefined ? "h" : store.set(key, key, 1, Infinity) ? "s" : "r")).join("");
    const keys = Array.from({ length: 30_000 }, () => Math.floor(1000 * random() ** 3)); // skewed towards small keys
    const outcomes = replay(byEntries.store, keys);
    expect(replay(byBytes.store, keys)).toBe(outcomes);
    const hits = outcomes.split("h").length - 1;
    expect(byEntries.removed.join()).toBe(byBytes.removed.join());
    expect(byEntries.removed.length).toBeGreaterThan(10_000);
    expect(hits).toBeGreaterThan(5_000);
    expect([...byEntries.store.keys()].sort()).toEqual([...byBytes.store.keys()].sort());
  });
});

describe("W-TinyLFU when the popular set moves", () => {
  type Store = ReturnType<typeof createTinyLfuStore<number, number>>;
  /**
   * Reads every key of `keys` `repeats` times in a row per round, keys in a seeded random order (get,
   * set on a miss); returns the last round's hits.
   */
  function readRounds(store: Store, keys: readonly number[], rounds: number, repeats = 1, random = createSeededRandom(3)): number {
    let hits = 0;
    const order = [...keys];
    for (let round = 0; round < rounds; round++) {
      hits = 0;
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const key of order) {
        for (let r = 0; r < repeats; r++) {
          if (store.get(key) !== undefined) hits++;
          else store.set(key, key, 1, Infinity);
        }
      }
    }
    return hits;
  }
  const fixedStore = (): Store => createTinyLfuStore<number, number>({ maxEntries: 100, maxBytes: 0, now: () => 0, climber: "fixed", random: noJitter });
  const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

  it("forgets the old favourites at the end of the first period of 1,000 reads after the move and takes in the new ones", () => {
    const store = fixedStore();
    expect(readRounds(store, range(0, 100), 30)).toBeGreaterThanOrEqual(95); // 3,000 reads: counted to 15
    expect(store.frequency(0)).toBe(15);
    // The new popular set keeps 10 of the old keys, and each key is read twice in a row (the window
    // serves the second read): the hit rate falls to about half, not to nothing as in a scan, while
    // hits on protected entries fall to a fifth. Without a restart every new key (at most 15) loses
    // to an old one (15) until the sketch halves after 5,120 increments: 10 rounds of the new set
    // (2,000 reads) would end with about 110 hits of 200 (the kept keys and the window's second reads).
    const random = createSeededRandom(4);
    readRounds(store, range(90, 100), 5, 2, random); // the first period after the move: 1,000 reads
    expect(store.frequency(0)).toBe(0);
    expect(readRounds(store, range(90, 100), 5, 2, random)).toBe(200);
    expect(range(0, 90).filter((key) => store.peek(key) !== undefined)).toEqual([]);
  });

  it("keeps its favourites through a scan of new keys", () => {
    const store = fixedStore();
    readRounds(store, range(0, 100), 30);
    readRounds(store, range(10_000, 5000), 1); // each new key once
    expect(readRounds(store, range(0, 100), 1)).toBeGreaterThanOrEqual(95);
  });
});

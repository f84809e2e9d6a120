// The caches the `cache` scenario replays traces through: every Sluice policy and npm's lru-cache,
// behind one get / set-on-miss shape.
import { LRUCache } from "lru-cache";
import { createArcStore, createLfuStore, createLruStore, createTinyLfuStore } from "@sluice/runtime";

/** The minimal surface a replay needs. */
export interface ReplayCache {
  get(key: number): unknown;
  set(key: number): void;
}

/** One cache under test. */
export interface PolicyUnderTest {
  readonly id: string;
  readonly label: string;
  /** True when hit ratios depend on the random source (reported as a median over seeds). */
  readonly randomized: boolean;
  create(capacity: number, random: () => number): ReplayCache;
}

const now = (): number => 0;

function fromStore(store: { get(k: number): unknown; set(k: number, v: true, size: number, ttl: number): boolean }): ReplayCache {
  return { get: (k) => store.get(k), set: (k) => void store.set(k, true, 1, Infinity) };
}

/** Every cache the scenario measures, the default policy first. */
export const policiesUnderTest: readonly PolicyUnderTest[] = [
  {
    id: "tinylfu",
    label: "Sluice W-TinyLFU (default: miniature climber)",
    randomized: true,
    // Its own adapter, as lru-cache has: the timed calls then see one store class, not the four
    // that share `fromStore`'s call sites.
    create: (capacity, random) => {
      const store = createTinyLfuStore<number, true>({ maxEntries: capacity, maxBytes: 0, now, random });
      return { get: (k) => store.get(k), set: (k) => void store.set(k, true, 1, Infinity) };
    },
  },
  {
    id: "tinylfu-caffeine",
    label: "Sluice W-TinyLFU (Caffeine's hill climber)",
    randomized: true,
    create: (capacity, random) => fromStore(createTinyLfuStore({ maxEntries: capacity, maxBytes: 0, now, random, climber: "caffeine" })),
  },
  { id: "arc", label: "Sluice ARC", randomized: false, create: (capacity) => fromStore(createArcStore({ maxEntries: capacity, maxBytes: 0, now })) },
  { id: "lru", label: "Sluice LRU", randomized: false, create: (capacity) => fromStore(createLruStore({ maxEntries: capacity, maxBytes: 0, now })) },
  { id: "lfu", label: "Sluice LFU", randomized: false, create: (capacity) => fromStore(createLfuStore({ maxEntries: capacity, maxBytes: 0, now })) },
  {
    id: "lru-cache",
    label: "lru-cache (npm)",
    randomized: false,
    create: (capacity) => {
      const cache = new LRUCache<number, true>({ max: capacity });
      return { get: (k) => cache.get(k), set: (k) => void cache.set(k, true) };
    },
  },
];

/**
 * Replays `keys` (get, set on a miss); returns hits and the replay's CPU time (user + system) in ns:
 * on a shared machine wall time mostly measures the wait for a core.
 */
export function replay(cache: ReplayCache, keys: Int32Array): { hits: number; ns: number } {
  let hits = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (cache.get(key) !== undefined) hits++;
    else cache.set(key);
  }
  const cpu = process.cpuUsage(start);
  return { hits, ns: (cpu.user + cpu.system) * 1000 };
}

/** Fewest requests a timed figure covers: shorter traces are replayed several times. */
export const MIN_TIMED_REQUESTS = 200_000;

/**
 * Times `keys` through fresh caches from `create`: a trace shorter than `MIN_TIMED_REQUESTS` is
 * first replayed once untimed (so the timed replays run compiled code, not JIT warm-up) and then
 * enough times to cover `MIN_TIMED_REQUESTS`. Returns the hits of one replay (every replay starts
 * from an empty cache with the same seed) and the CPU ns per request over the timed replays.
 */
export function timedReplay(create: () => ReplayCache, keys: Int32Array): { hits: number; nsPerRequest: number; replays: number } {
  const replays = Math.ceil(MIN_TIMED_REQUESTS / keys.length);
  if (replays > 1) replay(create(), keys);
  let hits = 0;
  let ns = 0;
  for (let i = 0; i < replays; i++) {
    const result = replay(create(), keys);
    if (i === 0) hits = result.hits;
    ns += result.ns;
  }
  return { hits, nsPerRequest: ns / (replays * keys.length), replays };
}

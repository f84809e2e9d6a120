// Property tests of every eviction policy: under random workloads both bounds hold after every
// operation, the byte count matches the entries held, and LRU matches a reference model exactly.
import fc from "fast-check";
import type { CacheStore, RemovalCause } from "./cache-store.js";
import { createStore, evictionNames } from "./create-store.js";
import { createLruStore } from "./lru-store.js";
import { createTinyLfuStore } from "./tinylfu-store.js";

type Op = { kind: "get" | "set" | "delete" | "tick"; key: number; size: number; ttl: number };

const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom("get", "set", "set", "delete", "tick"),
  key: fc.integer({ min: 0, max: 40 }),
  size: fc.integer({ min: 0, max: 300 }),
  ttl: fc.oneof(fc.constant(Infinity), fc.integer({ min: 1, max: 50 })),
});

const bounds = fc.record({ maxEntries: fc.integer({ min: 0, max: 20 }), maxBytes: fc.integer({ min: 0, max: 2000 }) }).filter((b) => b.maxEntries > 0 || b.maxBytes > 0);

const builders: Record<string, (o: Parameters<typeof createLruStore<number, number>>[0]) => CacheStore<number, number>> = {
  ...Object.fromEntries(evictionNames.map((name) => [name, (o: Parameters<typeof createLruStore<number, number>>[0]) => createStore(name, o)])),
  "tinylfu-caffeine": (o) => createTinyLfuStore({ ...o, climber: "caffeine" }),
};

describe.each(Object.keys(builders))("%s store under a random workload", (policy) => {
  it("never exceeds maxEntries or maxBytes, and its byte count is the sum of the sizes held", () => {
    fc.assert(
      fc.property(bounds, fc.array(op, { maxLength: 300 }), fc.integer(), (b, ops, seed) => {
        let now = 0;
        let r = seed >>> 0;
        const random = () => ((r = (Math.imul(r, 1664525) + 1013904223) >>> 0) / 2 ** 32);
        const sizes = new Map<number, number>();
        const store = builders[policy]!({
          ...b,
          now: () => now,
          random,
          onRemove: (key: number, _v: number, cause: RemovalCause) => {
            if (cause !== "replaced") sizes.delete(key);
          },
        });
        for (const o of ops) {
          if (o.kind === "get") store.get(o.key);
          else if (o.kind === "delete") store.delete(o.key);
          else if (o.kind === "tick") now += o.ttl === Infinity ? 10 : o.ttl;
          else if (store.set(o.key, o.key, o.size, o.ttl)) sizes.set(o.key, o.size);
          else sizes.delete(o.key);
          if (b.maxEntries > 0 && store.entries > b.maxEntries) return false;
          if (b.maxBytes > 0 && store.bytes > b.maxBytes) return false;
          if (store.entries !== sizes.size) return false;
          let sum = 0;
          for (const size of sizes.values()) sum += size;
          if (store.bytes !== sum) return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

describe("LRU store against a reference model", () => {
  it("holds exactly the keys a naive LRU list holds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 15 })), { maxLength: 200 }), (capacity, ops) => {
        const store = createLruStore<number, number>({ maxEntries: capacity, maxBytes: 0, now: () => 0 });
        const model: number[] = []; // least recent first
        for (const [isGet, key] of ops) {
          const at = model.indexOf(key);
          if (isGet) {
            const hit = store.get(key) !== undefined;
            if (hit !== at >= 0) return false;
            if (at >= 0) model.push(...model.splice(at, 1));
          } else {
            store.set(key, key, 1, Infinity);
            if (at >= 0) model.splice(at, 1);
            model.push(key);
            if (model.length > capacity) model.shift();
          }
        }
        return [...store.keys()].sort((a, b) => a - b).join() === [...model].sort((a, b) => a - b).join();
      }),
      { numRuns: 300 },
    );
  });
});

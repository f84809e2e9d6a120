import { buildRing, createRingHashPolicy, ringLookup } from "./ring-hash.js";
import { createFakePickerEnv, fakeCandidate, scriptedRandom, candidate } from "./testing.js";
import type { PickCandidate, Picker } from "../picker.js";

const addresses = (n: number) => Array.from({ length: n }, (_, i) => `10.0.0.${i + 1}:8080`);
const keys = Array.from({ length: 10_000 }, (_, i) => `customer-${i}`);

function mapping(picker: Picker<PickCandidate>): string[] {
  return keys.map((routingKey) => candidate(picker.pick({ routingKey })).address);
}

function shares(assigned: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of assigned) counts.set(a, (counts.get(a) ?? 0) + 1);
  return counts;
}

describe("ring-hash", () => {
  const policy = createRingHashPolicy();
  const build = (list: readonly string[], weights?: readonly number[]) =>
    policy.build(
      list.map((a, i) => fakeCandidate(a, { weight: weights?.[i] ?? 1 })),
      createFakePickerEnv(1),
    );

  it("is named ring-hash", () => {
    expect(policy.name).toBe("ring-hash");
  });

  it("maps the same key to the same address, whatever the candidate order", () => {
    const first = mapping(build(addresses(4)));
    expect(mapping(build(addresses(4)))).toEqual(first);
    expect(mapping(build(addresses(4).reverse()))).toEqual(first);
  });

  it("moves about 1/5 of keys when a fifth endpoint joins, all of them to the new one", () => {
    const before = mapping(build(addresses(4)));
    const after = mapping(build(addresses(5)));
    const added = addresses(5)[4]!;
    let moved = 0;
    for (let i = 0; i < keys.length; i++) {
      if (before[i] !== after[i]) {
        moved++;
        expect(after[i]).toBe(added);
      }
    }
    expect(moved / keys.length).toBeGreaterThan(0.12);
    expect(moved / keys.length).toBeLessThan(0.28);
  });

  it.each([1, 2, 3, 4, 6, 7, 8, 15, 16])("moves keys only to the new endpoint when one joins %i others", (n) => {
    const before = mapping(build(addresses(n)));
    const after = mapping(build(addresses(n + 1)));
    const added = addresses(n + 1)[n]!;
    for (let i = 0; i < keys.length; i++) {
      if (before[i] !== after[i]) expect(after[i]).toBe(added);
    }
  });

  it("moves only the keys of an endpoint that leaves", () => {
    const before = mapping(build(addresses(5)));
    const gone = addresses(5)[2]!;
    const after = mapping(build(addresses(5).filter((a) => a !== gone)));
    for (let i = 0; i < keys.length; i++) {
      if (before[i] !== gone) expect(after[i]).toBe(before[i]);
    }
  });

  it("shares keys evenly with equal weights (±15 %)", () => {
    for (const n of [4, 5]) {
      const counts = shares(mapping(build(addresses(n))));
      expect(counts.size).toBe(n);
      for (const count of counts.values()) {
        expect(count).toBeGreaterThan((keys.length / n) * 0.85);
        expect(count).toBeLessThan((keys.length / n) * 1.15);
      }
    }
  });

  it("shares keys in proportion to weight", () => {
    const list = addresses(3);
    const counts = shares(mapping(build(list, [2, 1, 1])));
    expect(counts.get(list[0]!)! / keys.length).toBeGreaterThan(0.5 * 0.85);
    expect(counts.get(list[0]!)! / keys.length).toBeLessThan(0.5 * 1.15);
  });

  it("picks at random without a routing key", () => {
    const ready = addresses(3).map((a) => fakeCandidate(a));
    const picker = policy.build(ready, createFakePickerEnv(scriptedRandom(0, 0.5, 0.99)));
    expect([picker.pick({}), picker.pick({}), picker.pick({})]).toEqual(ready);
  });

  it("returns undefined with no candidates", () => {
    expect(policy.build([], createFakePickerEnv()).pick({ routingKey: "k" })).toBeUndefined();
  });

  describe("ring size", () => {
    const size = (n: number, min: number, max: number, weights?: number[]) =>
      buildRing(addresses(n), weights ?? addresses(n).map(() => 1), min, max).hashes.length;

    it("puts pointsPerWeight nodes per unit of weight, whatever the number of endpoints", () => {
      expect(size(3, 256, 16_384)).toBe(768);
      expect(size(4, 256, 16_384)).toBe(1024);
      expect(size(5, 256, 16_384)).toBe(1280);
      expect(size(2, 256, 16_384, [3, 1])).toBe(1024); // 768 + 256
      expect(size(2, 100, 16_384, [0.5, 2])).toBe(250); // 50 + 200
    });

    it("halves the nodes per unit weight while the ring exceeds maxRingSize, keeping one each", () => {
      expect(size(3, 1024, 1024)).toBe(768); // 256 each
      expect(size(10, 4, 4)).toBe(10);
      expect(size(2, 64, 8, [100, 0.001])).toBe(7); // 1/16 per unit: 6 + at least 1
      expect(size(2, 64, 4, [100, 0.001])).toBe(4); // 1/32 per unit: 3 + 1
    });

    it("keeps hashes sorted and looks up with wrap-around", () => {
      const ring = buildRing(addresses(3), [1, 1, 1], 16, 64);
      for (let i = 1; i < ring.hashes.length; i++) expect(ring.hashes[i]!).toBeGreaterThanOrEqual(ring.hashes[i - 1]!);
      expect(ringLookup(ring, 0)).toBe(0);
      expect(ringLookup(ring, ring.hashes[5]!)).toBe(5);
      expect(ringLookup(ring, ring.hashes[5]! + 1)).toBe(6);
      expect(ringLookup(ring, ring.hashes[ring.hashes.length - 1]! + 1)).toBe(0);
    });
  });

  it("validates its options, naming the field", () => {
    expect(() => createRingHashPolicy({ pointsPerWeight: 0 })).toThrow(
      "balancer.pointsPerWeight: must be an integer from 1 to 8388608, got 0",
    );
    expect(() => createRingHashPolicy({ maxRingSize: 1.5 })).toThrow(/^balancer\.maxRingSize: /);
    expect(() => createRingHashPolicy({ maxRingSize: 2 ** 24 })).toThrow(/^balancer\.maxRingSize: /);
  });
});

import { createLeastRequestPolicy } from "./least-request.js";
import { createFakePickerEnv, fakeCandidate, scriptedRandom, candidate } from "./testing.js";
import { sampleTwo } from "./two-choices.js";

describe("sampleTwo", () => {
  it("maps two draws to two distinct indexes", () => {
    expect(sampleTwo(scriptedRandom(0, 0), 3)).toEqual([0, 1]);
    expect(sampleTwo(scriptedRandom(0.5, 0.5), 3)).toEqual([1, 2]);
    expect(sampleTwo(scriptedRandom(0.9, 0.9), 3)).toEqual([2, 1]);
    expect(sampleTwo(scriptedRandom(1, 1), 2)).toEqual([1, 0]);
  });

  it("is uniform over ordered pairs (seeded, ±8 %)", () => {
    const random = createFakePickerEnv(3).random;
    const counts = new Map<string, number>();
    for (let i = 0; i < 24_000; i++) {
      const [x, y] = sampleTwo(random, 4);
      expect(x).not.toBe(y);
      counts.set(`${x}${y}`, (counts.get(`${x}${y}`) ?? 0) + 1);
    }
    expect(counts.size).toBe(12);
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(2000 * 0.92);
      expect(n).toBeLessThan(2000 * 1.08);
    }
  });
});

describe("least-request", () => {
  const policy = createLeastRequestPolicy();

  it("is named least-request", () => {
    expect(policy.name).toBe("least-request");
  });

  it("picks the sampled candidate with fewer calls in flight, the first on a tie", () => {
    const a = fakeCandidate("a", { inFlight: 2 });
    const b = fakeCandidate("b", { inFlight: 1 });
    const c = fakeCandidate("c", { inFlight: 1 });
    const picker = policy.build([a, b, c], createFakePickerEnv(scriptedRandom(0, 0, 0.9, 0.9, 0.5, 0.0)));
    expect(picker.pick({})).toBe(b); // a vs b
    expect(picker.pick({})).toBe(c); // c vs b: tie, first sampled
    b.inFlight = 0;
    expect(picker.pick({})).toBe(b); // b vs a
  });

  it("reads in-flight counts live", () => {
    const a = fakeCandidate("a");
    const b = fakeCandidate("b");
    const picker = policy.build([a, b], createFakePickerEnv(scriptedRandom(0, 0)));
    expect(picker.pick({})).toBe(a);
    a.inFlight = 3;
    expect(picker.pick({})).toBe(b);
  });

  it("never picks the most loaded of three, and the least loaded in 2/3 of picks", () => {
    const ready = [fakeCandidate("a", { inFlight: 0 }), fakeCandidate("b", { inFlight: 5 }), fakeCandidate("c", { inFlight: 10 })];
    const picker = policy.build(ready, createFakePickerEnv(11));
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 3_000; i++) counts[candidate(picker.pick({})).address]!++;
    expect(counts.c).toBe(0);
    expect(counts.a! / 3_000).toBeGreaterThan(0.63);
    expect(counts.a! / 3_000).toBeLessThan(0.7);
  });

  it("returns the only candidate without drawing, and undefined with none", () => {
    const only = fakeCandidate("x", { inFlight: 100 });
    const random = jest.fn(() => 0.5);
    expect(policy.build([only], createFakePickerEnv(random)).pick({})).toBe(only);
    expect(random).not.toHaveBeenCalled();
    expect(policy.build([], createFakePickerEnv()).pick({})).toBeUndefined();
  });
});

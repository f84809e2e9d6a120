import { createRandomPolicy, randomIndex } from "./random.js";
import { createFakePickerEnv, fakeCandidate, scriptedRandom, candidate } from "./testing.js";

describe("random", () => {
  const policy = createRandomPolicy();
  const ready = [fakeCandidate("a:1"), fakeCandidate("b:1"), fakeCandidate("c:1")];

  it("is named random", () => {
    expect(policy.name).toBe("random");
  });

  it("maps random() to floor(random() × n), clamping 1", () => {
    const picker = policy.build(ready, createFakePickerEnv(scriptedRandom(0, 0.34, 0.67, 0.9999, 1)));
    expect([1, 2, 3, 4, 5].map(() => candidate(picker.pick({})).address)).toEqual(["a:1", "b:1", "c:1", "c:1", "c:1"]);
    expect(randomIndex(() => 1, 4)).toBe(3);
  });

  it("is uniform over 30,000 seeded picks (±3 %)", () => {
    const picker = policy.build(ready, createFakePickerEnv(42));
    const counts = new Map<string, number>();
    for (let i = 0; i < 30_000; i++) {
      const address = candidate(picker.pick({})).address;
      counts.set(address, (counts.get(address) ?? 0) + 1);
    }
    for (const c of ready) {
      expect(counts.get(c.address)).toBeGreaterThan(9_700);
      expect(counts.get(c.address)).toBeLessThan(10_300);
    }
  });

  it("returns undefined with no candidates", () => {
    expect(policy.build([], createFakePickerEnv()).pick({})).toBeUndefined();
  });
});

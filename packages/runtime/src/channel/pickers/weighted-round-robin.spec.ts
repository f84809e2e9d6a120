import { createWeightedRoundRobinPolicy } from "./weighted-round-robin.js";
import { createFakePickerEnv, fakeCandidate, scriptedRandom, candidate } from "./testing.js";
import type { PickCandidate } from "../picker.js";

describe("weighted-round-robin", () => {
  const policy = createWeightedRoundRobinPolicy();
  const five11 = () => [
    fakeCandidate("a", { weight: 5 }),
    fakeCandidate("b", { weight: 1 }),
    fakeCandidate("c", { weight: 1 }),
  ];
  const sequence = (ready: readonly PickCandidate[], random: () => number, count: number): string => {
    const picker = policy.build(ready, createFakePickerEnv(random));
    return Array.from({ length: count }, () => candidate(picker.pick({})).address).join("");
  };

  it("is named weighted-round-robin", () => {
    expect(policy.name).toBe("weighted-round-robin");
  });

  it("interleaves weights 5,1,1 as a,a,b,a,c,a,a (nginx smooth WRR)", () => {
    expect(sequence(five11(), scriptedRandom(0), 21)).toBe("aabacaa".repeat(3));
  });

  it("starts at a random phase of the cycle", () => {
    // cycle length 7: phase floor(random() × 7)
    expect(sequence(five11(), scriptedRandom(3 / 7 + 1e-9), 7)).toBe("acaaaab");
    expect(sequence(five11(), scriptedRandom(0.9999), 7)).toBe("aaabaca");
  });

  it("gives exact shares over whole cycles, from any phase", () => {
    for (const seed of [1, 2, 3]) {
      const counts = { a: 0, b: 0, c: 0 };
      const picker = policy.build(five11(), createFakePickerEnv(seed));
      for (let i = 0; i < 7_000; i++) counts[candidate(picker.pick({})).address as "a" | "b" | "c"]++;
      expect(counts).toEqual({ a: 5_000, b: 1_000, c: 1_000 });
    }
  });

  it("handles fractional weights", () => {
    const ready = [fakeCandidate("x", { weight: 0.5 }), fakeCandidate("y", { weight: 0.25 })];
    const seq = sequence(ready, scriptedRandom(0), 300);
    expect(seq.split("").filter((s) => s === "x").length).toBe(200);
    expect(seq.slice(0, 6)).toBe("xyxxyx");
  });

  it("treats weights that are not finite and > 0 as 1", () => {
    const ready = [fakeCandidate("p", { weight: 0 }), fakeCandidate("q", { weight: Number.NaN }), fakeCandidate("r", { weight: 2 })];
    const seq = sequence(ready, scriptedRandom(0), 400);
    expect(seq.split("").filter((s) => s === "r").length).toBe(200);
    expect(seq.split("").filter((s) => s === "p").length).toBe(100);
  });

  it("never sends more than the fair run to one endpoint (weights 1,1,1 = round robin)", () => {
    const ready = [fakeCandidate("a"), fakeCandidate("b"), fakeCandidate("c")];
    expect(sequence(ready, scriptedRandom(0), 9)).toBe("abcabcabc");
  });

  it("returns undefined with no candidates and the only one with one", () => {
    expect(policy.build([], createFakePickerEnv()).pick({})).toBeUndefined();
    const only = fakeCandidate("x", { weight: 3 });
    expect(policy.build([only], createFakePickerEnv()).pick({})).toBe(only);
  });
});

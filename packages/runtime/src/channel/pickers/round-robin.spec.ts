import { createRoundRobinPolicy } from "./round-robin.js";
import { createFakePickerEnv, fakeCandidate, scriptedRandom, candidate } from "./testing.js";

describe("round-robin", () => {
  const policy = createRoundRobinPolicy();
  const ready = [fakeCandidate("a:1"), fakeCandidate("b:1"), fakeCandidate("c:1")];
  const names = (picks: readonly ({ address: string } | undefined)[]) => picks.map((c) => c?.address[0]).join("");

  const take = (random: () => number, count: number) => {
    const picker = policy.build(ready, createFakePickerEnv(random));
    return Array.from({ length: count }, () => candidate(picker.pick({})));
  };

  it("is named round-robin", () => {
    expect(policy.name).toBe("round-robin");
  });

  it("cycles in order from offset 0 when random() = 0", () => {
    expect(names(take(scriptedRandom(0), 7))).toBe("abcabca");
  });

  it("starts at floor(random() × n)", () => {
    expect(names(take(scriptedRandom(0.5), 6))).toBe("bcabca");
    expect(names(take(scriptedRandom(0.9999), 4))).toBe("cabc");
    expect(names(take(scriptedRandom(1), 4))).toBe("cabc"); // a source returning 1 is clamped
  });

  it("draws the random offset once per build only", () => {
    const random = jest.fn(() => 0.4);
    const picker = policy.build(ready, createFakePickerEnv(random));
    for (let i = 0; i < 30; i++) picker.pick({});
    expect(random).toHaveBeenCalledTimes(1);
  });

  it("gives every candidate exactly its share over whole cycles", () => {
    const counts = new Map<string, number>();
    for (const c of take(scriptedRandom(0.7), 300)) counts.set(c!.address, (counts.get(c!.address) ?? 0) + 1);
    expect([...counts.values()]).toEqual([100, 100, 100]);
  });

  it("spreads the first pick of many clients evenly (seeded)", () => {
    const env = createFakePickerEnv(7);
    const first = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const address = candidate(policy.build(ready, env).pick({})).address;
      first.set(address, (first.get(address) ?? 0) + 1);
    }
    for (const c of ready) {
      expect(first.get(c.address)).toBeGreaterThan(900);
      expect(first.get(c.address)).toBeLessThan(1100);
    }
  });

  it("returns undefined with no candidates, and the only one with one", () => {
    expect(policy.build([], createFakePickerEnv()).pick({})).toBeUndefined();
    const only = fakeCandidate("x:1");
    const picker = policy.build([only], createFakePickerEnv(0.9));
    expect([picker.pick({}), picker.pick({})]).toEqual([only, only]);
  });
});

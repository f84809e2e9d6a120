import { createPickFirstPolicy } from "./pick-first.js";
import { createFakePickerEnv, fakeCandidate } from "./testing.js";

describe("pick-first", () => {
  const policy = createPickFirstPolicy();

  it("is named pick-first", () => {
    expect(policy.name).toBe("pick-first");
  });

  it("always picks the first ready candidate in resolver order", () => {
    const ready = [fakeCandidate("a:1"), fakeCandidate("b:1"), fakeCandidate("c:1")];
    const random = jest.fn(() => 0.7);
    const picker = policy.build(ready, createFakePickerEnv(random));
    for (let i = 0; i < 10; i++) expect(picker.pick({ routingKey: `k${i}` })).toBe(ready[0]);
    expect(random).not.toHaveBeenCalled();
  });

  it("fails over when the first is no longer in the ready set", () => {
    const [a, b, c] = [fakeCandidate("a:1"), fakeCandidate("b:1"), fakeCandidate("c:1")];
    expect(policy.build([b, c], createFakePickerEnv()).pick({})).toBe(b);
    expect(policy.build([a, b, c], createFakePickerEnv()).pick({})).toBe(a);
  });

  it("returns undefined with no candidates", () => {
    expect(policy.build([], createFakePickerEnv()).pick({})).toBeUndefined();
  });
});

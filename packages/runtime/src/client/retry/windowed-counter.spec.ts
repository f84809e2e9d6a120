import { createWindowedCounter } from "./windowed-counter.js";

describe("createWindowedCounter", () => {
  it("sums additions of the current slice and the slices − 1 before it", () => {
    let t = 0;
    const counter = createWindowedCounter(10_000, 10, () => t);
    counter.add(5); // slice 0
    t = 999;
    counter.add(1); // slice 0
    t = 1000;
    counter.add(-2); // slice 1
    expect(counter.sum()).toBe(4);
    t = 9_999; // slice 9: slices 0..9 count
    expect(counter.sum()).toBe(4);
    t = 10_000; // slice 10: slice 0 expires
    expect(counter.sum()).toBe(-2);
    t = 11_000;
    expect(counter.sum()).toBe(0);
  });

  it("reuses a ring slot for a later slice without carrying its old sum", () => {
    let t = 500;
    const counter = createWindowedCounter(1000, 2, () => t);
    counter.add(7); // slice 1 (slot 1)
    t = 1600; // slice 3 (slot 1 again)
    counter.add(1);
    expect(counter.sum()).toBe(1);
    t = 100_000;
    expect(counter.sum()).toBe(0);
  });

  it("rejects bad sizes naming the field", () => {
    expect(() => createWindowedCounter(0, 10, () => 0, "retryBudget")).toThrow(/^retryBudget\.windowMs: must be a finite number/);
    expect(() => createWindowedCounter(1000, 0, () => 0)).toThrow(/^window\.slices: must be an integer from 1 to 1000/);
  });
});

import { createAimdLimit } from "./aimd-limit.js";
import { feed } from "./testing.js";

describe("createAimdLimit", () => {
  it("starts at Netflix's defaults: 20, within [20, 200]", () => {
    expect(createAimdLimit().limit).toBe(20);
  });

  it("grows by one per sample while at least half the limit is in flight", () => {
    const aimd = createAimdLimit();
    expect(feed(aimd, 3, 10)).toEqual([21, 22, 23]);
  });

  it("holds when fewer than half the limit are in flight (app-limited)", () => {
    const aimd = createAimdLimit({ initialLimit: 30 });
    expect(feed(aimd, 5, 10, 14)).toEqual([30, 30, 30, 30, 30]);
  });

  it("backs off by the ratio on a drop and on a call slower than the timeout, then recovers", () => {
    const aimd = createAimdLimit({ initialLimit: 100, backoffRatio: 0.9, timeoutMs: 1000 });
    expect(feed(aimd, 1, 10, 100, true)).toEqual([90]);
    expect(feed(aimd, 1, 1500)).toEqual([81]);
    expect(feed(aimd, 2, 10)).toEqual([82, 83]);
  });

  it("respects min and max", () => {
    const aimd = createAimdLimit({ minLimit: 5, maxLimit: 7, initialLimit: 5 });
    expect(feed(aimd, 4, 10)).toEqual([6, 7, 7, 7]);
    expect(feed(aimd, 10, 10, 7, true).at(-1)).toBe(5);
  });

  it("rejects bad settings naming the field and range", () => {
    expect(() => createAimdLimit({ backoffRatio: 1.5 })).toThrow("backoffRatio: must be a number >= 0.5 and <= 1, got 1.5");
    expect(() => createAimdLimit({ backoffRatio: 1 })).toThrow("backoffRatio");
    expect(() => createAimdLimit({ minLimit: 50, maxLimit: 10 })).toThrow("minLimit: must be <= maxLimit (10), got 50");
    expect(() => createAimdLimit({ initialLimit: 5 })).toThrow("initialLimit: must be an integer >= 20 and <= 200, got 5");
  });
});

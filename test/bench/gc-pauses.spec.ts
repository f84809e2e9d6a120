// The reject-timing tool's GC-pause arithmetic: how much of a call's span the pauses of a process cover.
import { pausedWithin } from "../../bench/src/tools/gc-pauses.js";

describe("pausedWithin", () => {
  const pauses = [[10, 12], [20, 25], [40, 41]] as const;

  it("adds up the parts of the pauses inside the span, clipping those that straddle its ends", () => {
    expect(pausedWithin(pauses, 11, 22)).toBe(3); // 1 ms of the first, 2 ms of the second
    expect(pausedWithin(pauses, 0, 100)).toBe(8);
  });

  it("is 0 for a span between pauses or touching one only at an end", () => {
    expect(pausedWithin(pauses, 12, 20)).toBe(0);
    expect(pausedWithin(pauses, 25, 40)).toBe(0);
  });
});

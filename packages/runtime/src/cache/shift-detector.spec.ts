import { ShiftDetector } from "./shift-detector.js";

/** Feeds `periods` of [hit rate, protected-hit rate]; returns the indices of the periods reported as shifts. */
function shiftsIn(periods: readonly (readonly [number, number])[]): number[] {
  const detector = new ShiftDetector();
  const shifts: number[] = [];
  periods.forEach(([hitRate, protectedRate], i) => {
    if (detector.shifted(hitRate, protectedRate)) shifts.push(i);
  });
  return shifts;
}

const steady = Array.from({ length: 8 }, () => [0.6, 0.5] as const);

describe("ShiftDetector", () => {
  it("reports nothing while the rates hold, nor on the first period however low", () => {
    expect(shiftsIn(steady)).toEqual([]);
    expect(shiftsIn([[0.01, 0], ...steady])).toEqual([]);
  });

  it("reports a period where the hit rate falls under 75 % and protected hits under 45 % of their averages", () => {
    expect(shiftsIn([...steady, [0.3, 0.1], [0.35, 0.15]])).toEqual([8]);
    // Just above either threshold: no shift (0.75 × 0.6 = 0.45, 0.45 × 0.5 = 0.225).
    expect(shiftsIn([...steady, [0.46, 0.1]])).toEqual([]);
    expect(shiftsIn([...steady, [0.3, 0.23]])).toEqual([]);
  });

  it("takes a burst of new keys, where the remaining hits still land on protected entries, for no shift", () => {
    expect(shiftsIn([...steady, [0.3, 0.3], [0.25, 0.25], [0.6, 0.5]])).toEqual([]);
  });

  it("takes a scan, a period of almost no hits, for no shift", () => {
    expect(shiftsIn([...steady, [0.05, 0], [0, 0], [0.6, 0.5]])).toEqual([]);
  });

  it("restarts the hit average from a shift, so the next low period is not a second shift", () => {
    expect(shiftsIn([...steady, [0.3, 0.1], [0.3, 0.1], [0.3, 0.1]])).toEqual([8]);
  });

  it("forgets both averages on reset", () => {
    const detector = new ShiftDetector();
    for (const [h, p] of steady) detector.shifted(h, p);
    detector.reset();
    expect(detector.shifted(0.3, 0.1)).toBe(false);
  });
});

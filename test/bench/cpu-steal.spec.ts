// Steal-time parsing and the share computed between two /proc/stat readings.
import { parseCpuTicks, stealPercent } from "../../bench/src/harness/cpu-steal.js";

describe("cpu steal", () => {
  it("reads total and steal ticks from the aggregate cpu line, leaving guest time out", () => {
    const text = "cpu  100 5 50 800 10 1 4 30 7 0\ncpu0 50 2 25 400 5 0 2 15 3 0\n";
    expect(parseCpuTicks(text)).toEqual({ total: 1000, steal: 30 });
  });

  it("returns undefined for text without a cpu line", () => {
    expect(parseCpuTicks("intr 1 2 3\n")).toBeUndefined();
  });

  it("computes the stolen share of the time between two readings", () => {
    expect(stealPercent({ total: 1000, steal: 30 }, { total: 3000, steal: 530 })).toBe(25);
    expect(stealPercent({ total: 1000, steal: 30 }, { total: 1000, steal: 30 })).toBeUndefined();
    expect(stealPercent(undefined, { total: 1, steal: 0 })).toBeUndefined();
  });
});

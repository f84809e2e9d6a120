import { createGradient2Limit } from "./gradient2-limit.js";
import { feed } from "./testing.js";

describe("createGradient2Limit", () => {
  it("grows by smoothing × queueSize per sample under a stable RTT, up to max", () => {
    const g = createGradient2Limit({ maxLimit: 30 });
    const limits = feed(g, 60, 10);
    // gradient 1: new = limit + 4, smoothed: +0.8 per sample
    expect(limits.slice(0, 3)).toEqual([20, 21, 22]);
    expect(limits.at(-1)).toBe(30);
  });

  it("falls when the RTT grows well past the long average, but not below min", () => {
    const g = createGradient2Limit({ initialLimit: 100, minLimit: 10, maxLimit: 200 });
    feed(g, 20, 10, 100);
    const before = g.limit;
    const limits = feed(g, 40, 60, 100);
    expect(limits[0]).toBeLessThan(before);
    expect(limits.at(-1)).toBeLessThan(60);
    expect(Math.min(...feed(g, 200, 200, 100))).toBeGreaterThanOrEqual(10);
  });

  it("tolerates RTTs up to 1.5 × the long average without shrinking", () => {
    const g = createGradient2Limit({ initialLimit: 50, maxLimit: 50 });
    feed(g, 20, 10);
    expect(feed(g, 5, 14)).toEqual([50, 50, 50, 50, 50]);
  });

  it("holds while app-limited", () => {
    const g = createGradient2Limit({ initialLimit: 40 });
    expect(feed(g, 10, 10, 19)).toEqual(new Array(10).fill(40));
  });

  it("recovers after a long overload: the long RTT is cut while far above the latest", () => {
    const g = createGradient2Limit({ initialLimit: 100, minLimit: 10, maxLimit: 200 });
    feed(g, 10, 10, 100);
    feed(g, 50, 100, 100); // the long average lags far behind 100 ms: the limit drops to min
    const low = g.limit;
    expect(low).toBe(10);
    const limits = feed(g, 100, 10, 200);
    expect(limits.at(-1)).toBeGreaterThan(low + 20);
  });

  it("cuts the long RTT by 5 % per sample while it is more than twice the latest, as Netflix's", () => {
    const g = createGradient2Limit({ initialLimit: 100, minLimit: 1, maxLimit: 200, smoothing: 1, queueSize: 0 });
    feed(g, 10, 100); // long RTT = 100 (plain average of the first 10)
    feed(g, 1, 40); // long = 100 × 599/601 + 40 × 2/601 = 99.80 > 2 × 40: cut to 94.81
    // long = 94.81 × 599/601 + 200 × 2/601 = 95.16; gradient = 1.5 × 95.16 / 200 = 0.714 (a 10 % cut gives 0.676: 67)
    expect(feed(g, 1, 200)).toEqual([71]);
  });

  it("rejects bad settings naming the field", () => {
    expect(() => createGradient2Limit({ rttTolerance: 0.5 })).toThrow("rttTolerance: must be a number >= 1, got 0.5");
    expect(() => createGradient2Limit({ longWindow: 0 })).toThrow("longWindow");
  });
});

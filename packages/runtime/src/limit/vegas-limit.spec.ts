import { createVegasLimit, log10Step } from "./vegas-limit.js";
import { feed } from "./testing.js";

describe("createVegasLimit", () => {
  const noProbe = { probeMultiplier: 1_000_000, random: () => 0 };

  it("uses Netflix's log10 step: max(1, floor(log10(limit)))", () => {
    expect([1, 9, 10, 99, 100, 999].map(log10Step)).toEqual([1, 1, 1, 1, 2, 2]);
  });

  it("takes the first sample as the no-load RTT, then grows by beta while there is no queue", () => {
    const vegas = createVegasLimit(noProbe);
    expect(feed(vegas, 1, 10)).toEqual([20]); // sets rttNoLoad
    expect(feed(vegas, 2, 10)).toEqual([26, 32]); // queue 0 <= threshold 1: +6 × step 1
  });

  it("shrinks when the RTT grows (queue > beta), and respects max", () => {
    const vegas = createVegasLimit({ ...noProbe, initialLimit: 100, maxLimit: 110 });
    feed(vegas, 1, 10);
    expect(feed(vegas, 1, 10)).toEqual([110]); // +12 clamped to 110
    // rtt 20: queue = ceil(110 × 0.5) = 55 > beta 12: −2
    expect(feed(vegas, 3, 20)).toEqual([108, 106, 104]);
  });

  it("holds while app-limited, and backs off on a drop", () => {
    const vegas = createVegasLimit(noProbe);
    feed(vegas, 1, 10);
    expect(feed(vegas, 2, 10, 5)).toEqual([20, 20]);
    expect(feed(vegas, 1, 10, 20, true)).toEqual([19]);
  });

  it("recovers after the latency falls back", () => {
    const vegas = createVegasLimit(noProbe);
    feed(vegas, 1, 10);
    feed(vegas, 10, 30);
    const low = vegas.limit;
    expect(low).toBeLessThan(20);
    feed(vegas, 5, 10);
    expect(vegas.limit).toBeGreaterThan(low);
  });

  it("re-measures the no-load RTT every probeMultiplier × limit × jitter samples", () => {
    // jitter 0.5 (random 0), multiplier 1, limit 20: the 10th sample probes.
    const vegas = createVegasLimit({ probeMultiplier: 1, random: () => 0, maxLimit: 20 });
    feed(vegas, 1, 10); // rttNoLoad 10
    feed(vegas, 8, 10);
    feed(vegas, 1, 50); // 10th sample: probe, rttNoLoad = 50
    expect(feed(vegas, 1, 50)).toEqual([20]); // queue 0 with the new no-load RTT: grows (clamped)
  });

  it("rejects bad settings naming the field", () => {
    expect(() => createVegasLimit({ smoothing: 0 })).toThrow("smoothing: must be a number > 0 and <= 1, got 0");
    expect(() => createVegasLimit({ maxLimit: 10, initialLimit: 20 })).toThrow("initialLimit: must be an integer >= 1 and <= 10, got 20");
  });
});

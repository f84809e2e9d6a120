import type { LimitAlgorithm, LimitSample } from "./limit-algorithm.js";
import { createWindowedLimit } from "./windowed-limit.js";
import { createGradient2Limit } from "./gradient2-limit.js";

/** A delegate that records the samples it gets. */
function recorder(): LimitAlgorithm & { readonly samples: LimitSample[] } {
  const samples: LimitSample[] = [];
  return { name: "recorder", limit: 20, samples, onSample: (s) => void samples.push(s) };
}

/** Feeds one sample per ms from `fromMs` for `count` ms, each `rttMs` long, with `inFlight`. */
function run(limit: LimitAlgorithm, fromMs: number, count: number, rttMs: number, inFlight = 20, dropAt = -1): void {
  for (let i = 0; i < count; i++) limit.onSample({ startMs: fromMs + i, rttMs, inFlight: inFlight + (i % 3), dropped: i === dropAt });
}

describe("createWindowedLimit", () => {
  it("passes the delegate one sample per window: the average RTT, the greatest in-flight count and whether any call dropped", () => {
    const delegate = recorder();
    const limit = createWindowedLimit(delegate, { minWindowMs: 100, maxWindowMs: 100 });
    limit.onSample({ startMs: 0, rttMs: 10, inFlight: 5, dropped: false }); // ends the empty first window (too few samples)
    expect(delegate.samples).toEqual([]);
    run(limit, 1, 50, 10); // ends 11..60: inside the window ending at 110
    run(limit, 51, 50, 20, 20, 10); // ends 71..120: the one ending at 111 closes it
    expect(delegate.samples).toHaveLength(1);
    const [window] = delegate.samples;
    // 50 samples of 10 ms and 41 of 20 ms (up to the one ending at 111), 22 the most in flight, one drop.
    expect(window?.rttMs).toBeCloseTo((50 * 10 + 41 * 20) / 91, 10);
    expect([window?.inFlight, window?.dropped, window?.startMs]).toEqual([22, true, 91]);
  });

  it("drops a window with fewer than windowSize samples, and ignores samples under minRttThresholdMs", () => {
    const delegate = recorder();
    const limit = createWindowedLimit(delegate, { minWindowMs: 100, maxWindowMs: 100, windowSize: 20 });
    run(limit, 0, 1, 10);
    run(limit, 1, 200, 0.05); // below the 0.1 ms threshold: not counted, and they close nothing
    run(limit, 300, 19, 10); // the first ends at 310, closing a window of 1 + 0 counted samples; then 18 more
    run(limit, 420, 1, 10); // closes the window of 19: too few
    expect(delegate.samples).toEqual([]);
  });

  it("keeps the window at 2 × the least RTT between minWindowMs and maxWindowMs", () => {
    const delegate = recorder();
    const limit = createWindowedLimit(delegate, { minWindowMs: 100, maxWindowMs: 1000 });
    limit.onSample({ startMs: 0, rttMs: 300, inFlight: 1, dropped: false }); // window: 2 × 300 = 600 ms after 300
    run(limit, 1, 20, 500); // ends 501..520: still inside (until 900)
    limit.onSample({ startMs: 401, rttMs: 500, inFlight: 1, dropped: false }); // ends 901: closes it
    expect(delegate.samples).toHaveLength(1);
  });

  it("under steady load moves Gradient2 once per window where the bare algorithm moves once per call", () => {
    const bare = createGradient2Limit();
    const windowed = createWindowedLimit(createGradient2Limit(), {});
    run(bare, 0, 3000, 10, 200);
    run(windowed, 0, 3000, 10, 200);
    // 3 s of one call per ms: the bare limit grows 0.8 per call to its max, the windowed one 0.8
    // per window: its first (empty) window closes at once, then one per second (at 1011 and 2011).
    expect(bare.limit).toBe(200);
    expect(windowed.limit).toBe(21);
  });

  it.each([
    [{ minWindowMs: 50 }, "minWindowMs: must be a number >= 100, got 50"],
    [{ maxWindowMs: 99 }, "maxWindowMs: must be a number >= 100, got 99"],
    [{ minWindowMs: 500, maxWindowMs: 200 }, "minWindowMs: must be <= maxWindowMs (200), got 500"],
    [{ windowSize: 5 }, "windowSize: must be an integer >= 10, got 5"],
    [{ minRttThresholdMs: -1 }, "minRttThresholdMs: must be a number >= 0, got -1"],
  ])("rejects %j naming the field and the accepted range", (options, message) => {
    expect(() => createWindowedLimit(recorder(), options)).toThrow(message);
  });
});

import { createOutlierDetector, type OutlierDetectorOptions, type OutlierEvent } from "./outlier-detector.js";

describe("createOutlierDetector", () => {
  let time = 0;
  const now = () => time;
  let events: OutlierEvent[] = [];

  const detector = (options: OutlierDetectorOptions = {}, addresses = ["a", "b", "c"]) => {
    const d = createOutlierDetector(options, now);
    d.setAddresses(addresses);
    d.onChange((_address, _ejected, event) => events.push(event));
    return d;
  };
  const fail = (d: ReturnType<typeof detector>, address: string, times: number) => {
    for (let i = 0; i < times; i++) d.record(address, false);
  };

  beforeEach(() => {
    time = 0;
    events = [];
  });

  it("ejects after 5 consecutive failures by default, for 30 s", () => {
    const d = detector();
    fail(d, "a", 4);
    expect(d.isEjected("a")).toBe(false);
    d.record("a", false);
    expect(d.isEjected("a")).toBe(true);
    expect(d.ejectedAddresses()).toEqual(["a"]);
    expect(events).toEqual([{ type: "eject", address: "a", ejectionCount: 1, reason: "consecutive-failures", untilMs: 30_000 }]);
    expect(d.nextUnejectAt()).toBe(30_000);
    expect(d.ejectionCount("a")).toBe(1);
  });

  it("calls listeners with address, ejected flag and event", () => {
    const d = detector({ consecutiveFailures: 1 });
    const calls: [string, boolean][] = [];
    const off = d.onChange((address, ejected) => calls.push([address, ejected]));
    d.record("b", false);
    time = 30_000;
    d.tick();
    off();
    d.record("b", false);
    expect(calls).toEqual([["b", true], ["b", false]]);
  });

  it("starts counting again after a success", () => {
    const d = detector();
    fail(d, "a", 4);
    d.record("a", true);
    fail(d, "a", 4);
    expect(d.isEjected("a")).toBe(false);
    d.record("a", false);
    expect(d.isEjected("a")).toBe(true);
  });

  it("returns the endpoint when its time is up, lazily or on tick", () => {
    const d = detector({ consecutiveFailures: 1 });
    d.record("a", false);
    time = 29_999;
    expect(d.isEjected("a")).toBe(true);
    time = 30_000;
    expect(d.isEjected("a")).toBe(false);
    expect(events.map((e) => e.type)).toEqual(["eject", "uneject"]);
    expect(events[1]).toEqual({ type: "uneject", address: "a", ejectionCount: 1 });
    d.record("b", false);
    time = 70_000;
    d.tick();
    expect(events.map((e) => `${e.type}:${e.address}`)).toEqual(["eject:a", "uneject:a", "eject:b", "uneject:b"]);
    expect(d.nextUnejectAt()).toBeUndefined();
  });

  it("ejects a relapse for longer, and forgets after healthy time", () => {
    const d = detector({ consecutiveFailures: 1 });
    d.record("a", false); // 1st: 0 → 30 s
    time = 40_000;
    d.record("a", false); // back at 30 s, 10 s healthy: 2nd → 60 s
    expect(events[2]).toMatchObject({ type: "eject", ejectionCount: 2, untilMs: 100_000 });
    time = 100_000 + 29_999; // back at 100 s; under one base period healthy: count stays 2
    expect(d.ejectionCount("a")).toBe(2);
    time = 100_000 + 30_000; // one base period healthy: count 1
    expect(d.ejectionCount("a")).toBe(1);
    d.record("a", false); // 2nd again → 60 s
    expect(events[4]).toMatchObject({ type: "eject", ejectionCount: 2, untilMs: 190_000 });
    time = 190_000 + 60_000; // two base periods healthy: count 0
    d.record("a", false);
    expect(events[6]).toMatchObject({ type: "eject", ejectionCount: 1, untilMs: 280_000 });
  });

  it("caps one ejection at maxEjectionMs", () => {
    const d = detector({ consecutiveFailures: 1, baseEjectionMs: 30_000, maxEjectionMs: 50_000 });
    d.record("a", false);
    time = 30_000;
    d.record("a", false);
    expect(events[2]).toMatchObject({ ejectionCount: 2, untilMs: 80_000 });
  });

  it("never ejects more than maxEjectionPercent of known endpoints", () => {
    const d = detector({ consecutiveFailures: 1 }); // 3 at 50 %: 1
    d.record("a", false);
    d.record("b", false);
    d.record("c", false);
    expect(d.ejectedAddresses()).toEqual(["a"]);
    time = 30_000; // a returns: room for one more, b's next failure ejects it
    d.record("b", false);
    expect(d.ejectedAddresses()).toEqual(["b"]);
  });

  it.each([
    [1, 50, 0],
    [2, 50, 1],
    [3, 50, 1],
    [4, 50, 2],
    [2, 10, 1],
    [10, 10, 1],
    [20, 10, 2],
    [3, 100, 2],
    [3, 0, 0],
  ])("with %i endpoints at %i %% ejects at most %i", (known, percent, most) => {
    const addresses = Array.from({ length: known }, (_, i) => `e${i}`);
    const d = detector({ consecutiveFailures: 1, maxEjectionPercent: percent }, addresses);
    for (const a of addresses) d.record(a, false);
    expect(d.ejectedAddresses()).toHaveLength(most);
  });

  it("ejects on failure rate over the window", () => {
    const d = detector({ consecutiveFailures: 0, failureRate: { minRequests: 10, threshold: 0.5 } });
    for (let i = 0; i < 4; i++) {
      d.record("a", true);
      d.record("a", false);
    }
    fail(d, "b", 9);
    expect(d.ejectedAddresses()).toEqual([]); // a: 8 calls, b: 9 calls, both under minRequests
    d.record("a", true);
    d.record("a", false);
    expect(events).toEqual([{ type: "eject", address: "a", ejectionCount: 1, reason: "failure-rate", untilMs: 30_000 }]);
  });

  it("judges only the last windowMs of calls", () => {
    const options = { consecutiveFailures: 0, failureRate: { windowMs: 10_000, minRequests: 4, threshold: 0.75 } };
    const d = detector(options, ["a", "b", "c", "d"]); // 2 may be ejected
    fail(d, "a", 3);
    fail(d, "b", 3);
    time = 9_500; // same window: 4 failures
    d.record("a", false);
    expect(d.isEjected("a")).toBe(true);
    time = 11_000; // b's first 3 failures fell out of the window
    d.record("b", false);
    expect(d.isEjected("b")).toBe(false);
    d.record("b", true);
    d.record("b", false);
    expect(d.isEjected("b")).toBe(false); // 3 calls in the window
    d.record("b", false); // 3 of 4 failed
    expect(d.isEjected("b")).toBe(true);
  });

  it("starts counters over after an ejection", () => {
    const d = detector({ consecutiveFailures: 2 });
    fail(d, "a", 2);
    time = 30_000;
    d.record("a", false);
    expect(d.isEjected("a")).toBe(false);
    d.record("a", false);
    expect(d.isEjected("a")).toBe(true);
  });

  it("ignores outcomes of unknown and ejected endpoints", () => {
    const d = detector({ consecutiveFailures: 2 });
    fail(d, "zzz", 10);
    fail(d, "a", 2);
    fail(d, "a", 1); // while ejected: ignored
    time = 30_000;
    d.record("a", false);
    expect(d.isEjected("a")).toBe(false);
    expect(d.ejectionCount("zzz")).toBe(0);
  });

  it("forgets removed endpoints and frees their ejection slot", () => {
    const d = detector({ consecutiveFailures: 1 });
    d.record("a", false);
    d.setAddresses(["b", "c", "d"]);
    expect(d.ejectedAddresses()).toEqual([]);
    expect(d.nextUnejectAt()).toBeUndefined();
    d.record("b", false);
    expect(d.ejectedAddresses()).toEqual(["b"]);
    d.setAddresses(["a", "b", "c", "d"]);
    expect(d.ejectionCount("a")).toBe(0);
    d.record("a", false); // 4 known at 50 %: 2 allowed
    expect(events.at(-1)).toMatchObject({ address: "a", ejectionCount: 1 });
  });

  it("lets a listener call back into the detector", () => {
    const d = detector({ consecutiveFailures: 1 });
    const seen: string[][] = [];
    d.onChange(() => seen.push(d.ejectedAddresses()));
    d.record("a", false);
    time = 30_000;
    d.tick();
    expect(seen).toEqual([["a"], []]);
  });

  describe("slowEndpoints", () => {
    /** Records `count` successes of `latencyMs` on each address, one millisecond apart. */
    const succeed = (d: ReturnType<typeof detector>, addresses: string[], latencyMs: number, count: number) => {
      for (let i = 0; i < count; i++) {
        for (const address of addresses) d.record(address, true, latencyMs);
        time += 1;
      }
    };

    it("ejects an endpoint whose median latency is 4x the others' and 5 ms above it, once it has 16 samples", () => {
      const d = detector({ slowEndpoints: {} });
      succeed(d, ["b", "c"], 2, 16);
      succeed(d, ["a"], 20, 15);
      expect(d.isEjected("a")).toBe(false);
      d.record("a", true, 20);
      expect(d.isEjected("a")).toBe(true);
      expect(events).toEqual([{ type: "eject", address: "a", ejectionCount: 1, reason: "slow", untilMs: time + 30_000 }]);
    });

    it("looks again at a slow endpoint after judging a fast one, whose baseline held the slow one", () => {
      const d = detector({ slowEndpoints: {} }, ["a", "b"]);
      succeed(d, ["a"], 40, 16);
      succeed(d, ["b"], 2, 15); // b full at its 16th sample: judged against a (40 ms), not slow
      d.record("b", true, 9); // a look at b: its baseline is a's 40 ms
      d.record("a", true, 40); // 40 ms is 20x b's 2 ms: a must still be looked at
      expect(d.isEjected("a")).toBe(true);
    });

    it("takes medians: one cold call neither makes an endpoint slow nor lifts the baseline", () => {
      const d = detector({ slowEndpoints: {} });
      d.record("b", true, 900); // b's first call paid for its connection
      succeed(d, ["b", "c"], 2, 15);
      d.record("c", true, 2);
      succeed(d, ["a"], 20, 16);
      expect(d.isEjected("a")).toBe(true);
      expect(d.isEjected("b")).toBe(false);
    });

    it("leaves an endpoint below the ratio, or within minExcessMs of the median, alone", () => {
      const d = detector({ slowEndpoints: {} });
      succeed(d, ["b", "c"], 2, 16);
      succeed(d, ["a"], 7.9, 20); // 3.95x the median
      expect(d.isEjected("a")).toBe(false);
      const close = detector({ slowEndpoints: {} }, ["x", "y"]);
      succeed(close, ["y"], 1, 16);
      succeed(close, ["x"], 5.5, 20); // 5.5x but only 4.5 ms above
      expect(close.isEjected("x")).toBe(false);
      expect(events).toEqual([]);
    });

    it("judges nothing until another endpoint has a full set of recent samples", () => {
      const d = detector({ slowEndpoints: {} });
      succeed(d, ["b"], 2, 15);
      succeed(d, ["a"], 50, 20);
      expect(d.isEjected("a")).toBe(false);
      d.record("b", true, 2);
      d.record("a", true, 50);
      expect(d.isEjected("a")).toBe(true);
    });

    it("forgets samples older than windowMs, so an old fast history does not count as the baseline", () => {
      const d = detector({ slowEndpoints: { windowMs: 1_000 } });
      succeed(d, ["b", "c"], 2, 16);
      time += 1_000;
      succeed(d, ["a"], 50, 20);
      expect(d.isEjected("a")).toBe(false);
    });

    it("re-reads the median when the last one is older than a tenth of the window, though the fleet was slower then", () => {
      const d = detector({ slowEndpoints: { windowMs: 1_000 } }, ["a", "b", "c"]);
      succeed(d, ["b", "c"], 100, 16);
      succeed(d, ["a"], 100, 16); // baseline 100 ms: nobody slow
      time += 2_000;
      succeed(d, ["b", "c"], 2, 16);
      succeed(d, ["a"], 40, 16); // 40 ms < 4 x the old baseline, but 20x the fresh one
      expect(d.isEjected("a")).toBe(true);
    });

    it("averages a failed call's latency nowhere and respects maxEjectionPercent", () => {
      const d = detector({ slowEndpoints: {}, consecutiveFailures: 0 }, ["a", "b"]);
      succeed(d, ["b"], 2, 16);
      for (let i = 0; i < 20; i++) d.record("a", false, 500);
      expect(d.isEjected("a")).toBe(false);
      succeed(d, ["a"], 50, 16);
      expect(d.isEjected("a")).toBe(true);
      succeed(d, ["b"], 50, 20); // b is now slow too, but the last endpoint is never ejected
      expect(d.isEjected("b")).toBe(false);
    });
  });

  it("validates every option, naming the field and the accepted values", () => {
    const bad: [OutlierDetectorOptions, string][] = [
      [{ consecutiveFailures: -1 }, "outlierDetection.consecutiveFailures: must be an integer >= 0 (0 turns it off), got -1"],
      [{ consecutiveFailures: 1.5 }, "outlierDetection.consecutiveFailures: must be an integer >= 0 (0 turns it off), got 1.5"],
      [{ failureRate: { windowMs: 0 } }, "outlierDetection.failureRate.windowMs: must be a finite number > 0 (milliseconds), got 0"],
      [{ failureRate: { threshold: 1.5 } }, "outlierDetection.failureRate.threshold: must be a number in (0, 1], got 1.5"],
      [{ failureRate: { minRequests: 0 } }, "outlierDetection.failureRate.minRequests: must be an integer >= 1, got 0"],
      [{ baseEjectionMs: Number.NaN }, "outlierDetection.baseEjectionMs: must be a finite number > 0 (milliseconds), got NaN"],
      [{ baseEjectionMs: 10_000, maxEjectionMs: 5_000 }, "outlierDetection.maxEjectionMs: must be a finite number >= outlierDetection.baseEjectionMs (10000), got 5000"],
      [{ maxEjectionPercent: 101 }, "outlierDetection.maxEjectionPercent: must be a number from 0 to 100, got 101"],
      [{ slowEndpoints: { ratio: 1 } }, "outlierDetection.slowEndpoints.ratio: must be a finite number > 1, got 1"],
      [{ slowEndpoints: { minExcessMs: -1 } }, "outlierDetection.slowEndpoints.minExcessMs: must be a finite number >= 0 (milliseconds), got -1"],
      [{ slowEndpoints: { samples: 1 } }, "outlierDetection.slowEndpoints.samples: must be an integer from 2 to 1000, got 1"],
      [{ slowEndpoints: { windowMs: 0 } }, "outlierDetection.slowEndpoints.windowMs: must be a finite number > 0 (milliseconds), got 0"],
    ];
    for (const [options, message] of bad) expect(() => createOutlierDetector(options, now)).toThrow(message);
  });
});

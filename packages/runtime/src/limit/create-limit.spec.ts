import { createLimitAlgorithm } from "./create-limit.js";

describe("createLimitAlgorithm", () => {
  const env = { now: () => 0, random: () => 0 };

  it("builds each named algorithm with its settings", () => {
    expect(createLimitAlgorithm({ algorithm: "fixed", limit: 16 }, env).limit).toBe(16);
    expect(createLimitAlgorithm({ algorithm: "aimd", initialLimit: 30 }, env).name).toBe("aimd");
    expect(createLimitAlgorithm({ algorithm: "vegas" }, env).limit).toBe(20);
    expect(createLimitAlgorithm({ algorithm: "gradient2" }, env).limit).toBe(20);
    expect(createLimitAlgorithm({ algorithm: "envoy-gradient" }, env).limit).toBe(3);
  });

  it("names the field under the given prefix", () => {
    expect(() => createLimitAlgorithm({ algorithm: "aimd", maxLimit: 0 }, env, "limits.concurrency")).toThrow(
      "limits.concurrency.maxLimit: must be an integer >= 1, got 0",
    );
    expect(() => createLimitAlgorithm({ algorithm: "tcp" } as never, env, "limits.concurrency")).toThrow(
      "limits.concurrency.algorithm: must be one of fixed, aimd, vegas, gradient2, envoy-gradient, got tcp",
    );
  });

  it("wraps aimd, vegas and gradient2 in a sample window when given one, and names its fields", () => {
    const windowed = createLimitAlgorithm({ algorithm: "gradient2", window: { minWindowMs: 100, maxWindowMs: 100 } }, env);
    for (let i = 0; i < 50; i++) windowed.onSample({ startMs: i, rttMs: 10, inFlight: 20, dropped: false });
    expect([windowed.name, windowed.limit]).toEqual(["gradient2", 20]); // per call it would have grown past 40
    expect(() => createLimitAlgorithm({ algorithm: "aimd", window: { windowSize: 1 } }, env, "limits.concurrency")).toThrow(
      "limits.concurrency.window.windowSize: must be an integer >= 10, got 1",
    );
    expect(() => createLimitAlgorithm({ algorithm: "envoy-gradient", window: {} } as never, env, "endpointLimit")).toThrow(
      "endpointLimit.window: only aimd, vegas and gradient2 update per sample and take a window, got one for envoy-gradient",
    );
  });
});

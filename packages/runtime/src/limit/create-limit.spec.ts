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
});

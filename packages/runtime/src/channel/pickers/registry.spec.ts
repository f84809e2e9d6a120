import { pickerNames, resolvePickerPolicy, type BalancerConfig } from "./registry.js";
import { createFakePickerEnv, fakeCandidate } from "./testing.js";

describe("resolvePickerPolicy", () => {
  it.each(pickerNames)("resolves %s by name and in object form", (name) => {
    expect(resolvePickerPolicy(name).name).toBe(name);
    expect(resolvePickerPolicy({ policy: name } as BalancerConfig).name).toBe(name);
  });

  it("builds working pickers", () => {
    const ready = [fakeCandidate("a:1", { latency: 1 }), fakeCandidate("b:1", { latency: 1 })];
    for (const name of pickerNames) {
      expect(ready).toContain(resolvePickerPolicy(name).build(ready, createFakePickerEnv()).pick({ routingKey: "k" }));
    }
  });

  it("passes policy options on", () => {
    const config: BalancerConfig = { policy: "ring-hash", pointsPerWeight: 16, maxRingSize: 64 };
    expect(resolvePickerPolicy(config).name).toBe("ring-hash");
    expect(resolvePickerPolicy({ policy: "peak-ewma", defaultLatencyMs: 20 }).name).toBe("peak-ewma");
  });

  it("rejects an unknown name, listing the accepted ones", () => {
    const accepted = "accepted: pick-first, round-robin, random, weighted-round-robin, least-request, peak-ewma, ring-hash";
    expect(() => resolvePickerPolicy("round_robin" as BalancerConfig)).toThrow(
      `balancer: unknown balancing policy "round_robin"; ${accepted}`,
    );
    expect(() => resolvePickerPolicy({ policy: "p2c" } as unknown as BalancerConfig)).toThrow(
      `balancer.policy: unknown balancing policy "p2c"; ${accepted}`,
    );
    expect(() => resolvePickerPolicy({} as BalancerConfig)).toThrow(/^balancer\.policy: unknown balancing policy undefined/);
    expect(() => resolvePickerPolicy(null as unknown as BalancerConfig)).toThrow(/^balancer: must be a policy name or/);
  });

  it("rejects an option that does not belong to the policy", () => {
    // @ts-expect-error pointsPerWeight is not an option of round-robin
    const config: BalancerConfig = { policy: "round-robin", pointsPerWeight: 5 };
    expect(() => resolvePickerPolicy(config)).toThrow(
      'balancer.pointsPerWeight: not an option of "round-robin"; accepted: policy',
    );
    expect(() => resolvePickerPolicy({ policy: "ring-hash", ringSize: 5 } as unknown as BalancerConfig)).toThrow(
      'balancer.ringSize: not an option of "ring-hash"; accepted: policy, pointsPerWeight, maxRingSize',
    );
  });

  it("ignores options left undefined", () => {
    const config = { policy: "round-robin", pointsPerWeight: undefined } as unknown as BalancerConfig;
    expect(resolvePickerPolicy(config).name).toBe("round-robin");
  });

  it("rejects bad option values, naming the field", () => {
    expect(() => resolvePickerPolicy({ policy: "ring-hash", pointsPerWeight: -1 })).toThrow(/^balancer\.pointsPerWeight: /);
    expect(() => resolvePickerPolicy({ policy: "ring-hash", maxRingSize: 0 })).toThrow(/^balancer\.maxRingSize: /);
    expect(() => resolvePickerPolicy({ policy: "peak-ewma", defaultLatencyMs: -5 })).toThrow(/^balancer\.defaultLatencyMs: /);
    expect(() => resolvePickerPolicy({ policy: "peak-ewma", defaultLatencyMs: "5" as unknown as number })).toThrow(
      /^balancer\.defaultLatencyMs: /,
    );
  });
});

import { createPeakEwmaPolicy } from "./peak-ewma.js";
import { candidate, createFakePickerEnv, fakeCandidate, scriptedRandom } from "./testing.js";

describe("peak-ewma picker", () => {
  const policy = createPeakEwmaPolicy();
  // With three candidates: draws (0, 0) sample [a, b]; (0, 0.9) sample [a, c]; (0.5, 0.9) sample [b, c].
  const AB = [0, 0];
  const AC = [0, 0.9];
  const BC = [0.5, 0.9];

  it("is named peak-ewma", () => {
    expect(policy.name).toBe("peak-ewma");
  });

  it("picks the lower latency × (inFlight + 1), the first sampled on a tie", () => {
    const a = fakeCandidate("a", { latency: 10, inFlight: 0 }); // cost 10
    const b = fakeCandidate("b", { latency: 2, inFlight: 4 }); // cost 10
    const picker = policy.build([a, b], createFakePickerEnv(scriptedRandom(...AB, 0.9, 0, ...AB)));
    expect(picker.pick({})).toBe(a); // [a, b] tie
    expect(picker.pick({})).toBe(b); // [b, a] tie
    b.inFlight = 3; // cost 8
    expect(picker.pick({})).toBe(b);
  });

  it("reads the estimates at env.now()", () => {
    const seen: number[] = [];
    const a = fakeCandidate("a");
    a.latencyEstimate = (now) => (seen.push(now), 1);
    const env = createFakePickerEnv(scriptedRandom(0, 0), 1234);
    policy.build([a, fakeCandidate("b", { latency: 5 })], env).pick({});
    expect(seen).toEqual([1234]);
  });

  it("gives a candidate without an estimate the mean of the known ones", () => {
    const a = fakeCandidate("a", { latency: 10 });
    const b = fakeCandidate("b", { latency: 30 });
    const c = fakeCandidate("c"); // neutral latency 20
    const picker = policy.build([a, b, c], createFakePickerEnv(scriptedRandom(...AC, ...BC)));
    expect(picker.pick({})).toBe(a); // 10 < 20
    expect(picker.pick({})).toBe(c); // 20 < 30
  });

  it("uses defaultLatencyMs when nothing is known, so calls in flight decide", () => {
    const a = fakeCandidate("a", { inFlight: 2 });
    const b = fakeCandidate("b", { inFlight: 1 });
    expect(createPeakEwmaPolicy({ defaultLatencyMs: 7 }).build([a, b], createFakePickerEnv(scriptedRandom(...AB))).pick({})).toBe(b);
  });

  it("still counts calls in flight when an estimate is 0", () => {
    const a = fakeCandidate("a", { latency: 0, inFlight: 5 });
    const b = fakeCandidate("b", { latency: 0, inFlight: 1 });
    expect(policy.build([a, b], createFakePickerEnv(scriptedRandom(...AB))).pick({})).toBe(b);
  });

  it("starves a slow idle endpoint and feeds it once the fast ones queue up", () => {
    const fast = [1, 2, 3].map((i) => fakeCandidate(`fast${i}`, { latency: 5 }));
    const slow = fakeCandidate("slow", { latency: 50 });
    const picker = policy.build([...fast, slow], createFakePickerEnv(5));
    let slowPicks = 0;
    for (let i = 0; i < 1_200; i++) if (picker.pick({}) === slow) slowPicks++;
    expect(slowPicks).toBe(0);
    for (const f of fast) f.inFlight = 20; // cost 105 > 50
    slowPicks = 0;
    for (let i = 0; i < 1_200; i++) if (picker.pick({}) === slow) slowPicks++;
    expect(slowPicks / 1_200).toBeGreaterThan(0.45); // every pair holding slow: 1/2 of pairs
    expect(slowPicks / 1_200).toBeLessThan(0.55);
  });

  it("returns the only candidate and undefined with none", () => {
    const only = fakeCandidate("x");
    expect(policy.build([only], createFakePickerEnv()).pick({})).toBe(only);
    expect(policy.build([], createFakePickerEnv()).pick({})).toBeUndefined();
  });

  it("rejects a bad defaultLatencyMs naming the field", () => {
    expect(() => createPeakEwmaPolicy({ defaultLatencyMs: 0 })).toThrow(
      "balancer.defaultLatencyMs: must be a finite number > 0 (milliseconds), got 0",
    );
    expect(() => createPeakEwmaPolicy({ defaultLatencyMs: Number.NaN }, "lb")).toThrow(/^lb\.defaultLatencyMs: /);
  });
});

describe("peak-ewma on the servers' reported latency", () => {
  const withReported = (address: string, client: number, server: number | undefined) => {
    const c = fakeCandidate(address, { latency: client });
    (c as { reportedLatency?: (now: number) => number | undefined }).reportedLatency = () => server;
    return c;
  };

  it("compares the reported handler latency, not the client's round trip, with latency: server", () => {
    // a's round trip looks slow (a client-side stall), but its server says it answers in 1 ms.
    const a = withReported("a", 50, 1);
    const b = withReported("b", 5, 5);
    const server = createPeakEwmaPolicy({ latency: "server" }).build([a, b], createFakePickerEnv(1));
    const client = createPeakEwmaPolicy().build([a, b], createFakePickerEnv(1));
    expect(candidate(server.pick({})).address).toBe("a");
    expect(candidate(client.pick({})).address).toBe("b");
  });

  it("falls back to the client's estimate while an endpoint has no report", () => {
    const a = withReported("a", 2, undefined);
    const b = withReported("b", 5, 9);
    expect(candidate(createPeakEwmaPolicy({ latency: "server" }).build([a, b], createFakePickerEnv(1)).pick({})).address).toBe("a");
  });

  it("rejects an unknown latency source naming the field", () => {
    expect(() => createPeakEwmaPolicy({ latency: "both" as never })).toThrow('balancer.latency: must be "client" or "server", got both');
  });
});

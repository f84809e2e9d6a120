import { createRetryBackoff } from "./retry-backoff.js";

const policy = { initialBackoffMs: 100, maxBackoffMs: 1000, backoffMultiplier: 2 };

describe("createRetryBackoff", () => {
  it("grows by the multiplier up to the cap (random 0.5 = no jitter)", () => {
    const backoff = createRetryBackoff(policy, () => 0.5);
    expect(Array.from({ length: 6 }, () => backoff.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("jitters every delay, the first included, by ±20 % by default", () => {
    const low = createRetryBackoff(policy, () => 0);
    expect([low.next(), low.next()]).toEqual([80, 160]);
    const high = createRetryBackoff(policy, () => 0.75);
    expect(high.next()).toBeCloseTo(110, 9);
    expect(high.next()).toBeCloseTo(220, 9);
    const capped = createRetryBackoff({ ...policy, maxBackoffMs: 150 }, () => 0.999);
    capped.next();
    expect(capped.next()).toBeCloseTo(150 * (1 + 0.2 * 0.998), 9);
  });

  it("draws from [0, b) with full jitter, and not at all with jitter 0", () => {
    const full = createRetryBackoff({ ...policy, jitter: "full" }, () => 0.25);
    expect([full.next(), full.next(), full.next()]).toEqual([25, 50, 100]);
    const random = jest.fn(() => 0.9);
    const none = createRetryBackoff({ ...policy, jitter: 0 }, random);
    expect([none.next(), none.next()]).toEqual([100, 200]);
  });

  it("restarts from the initial backoff after a pushback", () => {
    const backoff = createRetryBackoff(policy, () => 0.5);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 400]);
    backoff.restart();
    expect([backoff.next(), backoff.next()]).toEqual([100, 200]);
  });

  it("rejects bad settings naming the field", () => {
    expect(() => createRetryBackoff({ ...policy, initialBackoffMs: 0 })).toThrow(/^retry\.initialBackoffMs: must be a finite number > 0/);
    expect(() => createRetryBackoff({ ...policy, maxBackoffMs: 50 })).toThrow(/^retry\.maxBackoffMs: must be a finite number >= retry\.initialBackoffMs \(100\)/);
    expect(() => createRetryBackoff({ ...policy, backoffMultiplier: 0.5 })).toThrow(/^retry\.backoffMultiplier: must be a finite number >= 1/);
    expect(() => createRetryBackoff({ ...policy, jitter: 1 })).toThrow(/^retry\.jitter: must be a number in \[0, 1\) or "full"/);
    expect(() => createRetryBackoff({ ...policy, jitter: "half" as never })).toThrow(/^retry\.jitter/);
  });
});

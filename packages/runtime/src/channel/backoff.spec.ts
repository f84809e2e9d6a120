import { createBackoff } from "./backoff.js";

describe("createBackoff", () => {
  it("follows gRPC's defaults: 1 s, ×1.6, capped at 120 s (random 0.5 = no jitter)", () => {
    const backoff = createBackoff({}, () => 0.5);
    const delays = Array.from({ length: 14 }, () => backoff.next());
    const expected = [1000, 1600, 2560, 4096, 6553.6, 10485.76, 16777.216, 26843.5456, 42949.67296, 68719.476736, 109951.1627776, 120000, 120000, 120000];
    delays.forEach((d, i) => expect(d).toBeCloseTo(expected[i]!, 6));
  });

  it("applies ± jitter after the first attempt only", () => {
    const low = createBackoff({}, () => 0);
    expect([low.next(), low.next(), low.next()]).toEqual([1000, 1600 * 0.8, 2560 * 0.8]);
    const high = createBackoff({ jitter: 0.5 }, () => 0.75);
    expect([high.next(), high.next()]).toEqual([1000, 1600 * 1.25]);
    const random = jest.fn(() => 0.5);
    createBackoff({}, random).next();
    expect(random).not.toHaveBeenCalled();
  });

  it("jitters around the capped delay, not a jittered one", () => {
    const values = [0, 0.999];
    let i = 0;
    const backoff = createBackoff({ initialMs: 100, multiplier: 2, maxMs: 300, jitter: 0.1 }, () => values[i++ % 2]!);
    expect(backoff.next()).toBe(100);
    expect(backoff.next()).toBeCloseTo(180, 9); // 200 × 0.9
    expect(backoff.next()).toBeCloseTo(300 * (1 + 0.1 * 0.998), 9);
    expect(backoff.next()).toBeCloseTo(270, 9);
  });

  it("starts over after reset", () => {
    const backoff = createBackoff({ initialMs: 50, jitter: 0 }, () => 0.3);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([50, 80, 128]);
    backoff.reset();
    expect([backoff.next(), backoff.next()]).toEqual([50, 80]);
  });

  it("stays constant with multiplier 1 and no jitter", () => {
    const backoff = createBackoff({ initialMs: 250, multiplier: 1, jitter: 0 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([250, 250, 250]);
  });

  it("validates every option, naming the field and the accepted range", () => {
    expect(() => createBackoff({ initialMs: 0 })).toThrow("backoff.initialMs: must be a finite number > 0 (milliseconds), got 0");
    expect(() => createBackoff({ multiplier: 0.5 })).toThrow("backoff.multiplier: must be a finite number >= 1, got 0.5");
    expect(() => createBackoff({ jitter: 1 })).toThrow("backoff.jitter: must be a number in [0, 1), got 1");
    expect(() => createBackoff({ jitter: -0.1 })).toThrow(/^backoff\.jitter: /);
    expect(() => createBackoff({ initialMs: 5000, maxMs: 1000 })).toThrow(
      "backoff.maxMs: must be a finite number >= backoff.initialMs (5000), got 1000",
    );
    expect(() => createBackoff({ maxMs: Number.NaN })).toThrow(/^backoff\.maxMs: /);
  });
});

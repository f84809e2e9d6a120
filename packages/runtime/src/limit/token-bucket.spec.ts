import { createKeyedTokenBuckets } from "./keyed-token-buckets.js";
import { createTokenBucket } from "./token-bucket.js";

describe("createTokenBucket", () => {
  let time = 0;
  const now = () => time;
  beforeEach(() => {
    time = 0;
  });

  it("starts full, allows exactly `burst` calls at once, then refills at `rate`", () => {
    const bucket = createTokenBucket({ rate: 10, burst: 3, now });
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    expect(bucket.msUntil()).toBe(100);
    time = 99;
    expect(bucket.tryTake()).toBe(false);
    time = 100;
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
  });

  it("never holds more than `burst`", () => {
    const bucket = createTokenBucket({ rate: 10, burst: 2, now });
    time = 60_000;
    expect(bucket.available()).toBe(2);
  });

  it("lets through exactly rate × seconds + burst over a period", () => {
    const bucket = createTokenBucket({ rate: 50, burst: 5, now });
    let passed = 0;
    for (time = 0; time <= 2000; time += 1) if (bucket.tryTake()) passed++;
    expect(passed).toBe(5 + 100);
  });

  it("rejects bad settings naming the field", () => {
    expect(() => createTokenBucket({ rate: 0, now })).toThrow("rate: must be a number > 0, got 0");
    expect(() => createTokenBucket({ rate: 1, burst: 0.5, now })).toThrow("burst: must be a number >= 1, got 0.5");
  });
});

describe("createKeyedTokenBuckets", () => {
  let time = 0;
  const now = () => time;

  it("keeps a bucket per key", () => {
    const buckets = createKeyedTokenBuckets({ rate: 1, burst: 1, now });
    expect([buckets.tryTake("a"), buckets.tryTake("a"), buckets.tryTake("b")]).toEqual([true, false, true]);
    expect(buckets.msUntil("a")).toBe(1000);
  });

  it("evicts the least recently used key beyond maxKeys", () => {
    const buckets = createKeyedTokenBuckets({ rate: 1, burst: 1, maxKeys: 2, now });
    buckets.tryTake("a");
    buckets.tryTake("b");
    buckets.tryTake("a"); // a is now the most recent
    buckets.tryTake("c"); // evicts b
    expect(buckets.size).toBe(2);
    expect(buckets.tryTake("a")).toBe(false); // still remembered, still empty
    expect(buckets.tryTake("b")).toBe(true); // forgotten: a fresh, full bucket
  });

  it("rejects bad settings naming the field", () => {
    expect(() => createKeyedTokenBuckets({ rate: 1, maxKeys: 0, now })).toThrow("maxKeys: must be an integer >= 1, got 0");
    expect(() => createKeyedTokenBuckets({ rate: -1, now })).toThrow("rate:");
  });
});

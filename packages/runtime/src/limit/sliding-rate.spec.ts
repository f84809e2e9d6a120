import { createSlidingRate } from "./sliding-rate.js";

describe("createSlidingRate", () => {
  let time = 0;
  const now = () => time;
  beforeEach(() => {
    time = 0;
  });

  it("counts events per second over the window", () => {
    const rate = createSlidingRate(now, 1000);
    rate.add(5);
    time = 450;
    rate.add(5);
    expect(rate.perSecond()).toBe(10);
  });

  it("drops a bucket whole once it leaves the window", () => {
    const rate = createSlidingRate(now, 1000, 10);
    rate.add(4); // bucket [0, 100)
    time = 500;
    rate.add(6); // bucket [500, 600)
    time = 999;
    expect(rate.perSecond()).toBe(10); // the window is the last ten buckets, [0, 1000)
    time = 1000;
    expect(rate.perSecond()).toBe(6); // now [100, 1100): the first bucket left whole
    time = 1600;
    expect(rate.perSecond()).toBe(0);
  });

  it("scales to the window's length", () => {
    const rate = createSlidingRate(now, 2000);
    rate.add(10);
    expect(rate.perSecond()).toBe(5);
  });

  it("forgets everything after a long silence", () => {
    const rate = createSlidingRate(now, 1000);
    rate.add(100);
    time = 1_000_000;
    rate.add(1);
    expect(rate.perSecond()).toBe(1);
  });
});

import { createInFlightAverage } from "./in-flight-average.js";

describe("createInFlightAverage", () => {
  let time = 0;
  const now = () => time;
  beforeEach(() => {
    time = 0;
  });

  it("averages the count over the time between two marks, weighting each count by how long it held", () => {
    const calls = createInFlightAverage(now);
    const start = calls.mark();
    calls.change(+1); // 1 call for 10 ms
    time = 10;
    calls.change(+2); // 3 calls for 30 ms
    time = 40;
    expect(calls.averageSince(start).average).toBe((1 * 10 + 3 * 30) / 40);
  });

  it("counts calls still in flight up to the moment it is read, before any of them finishes", () => {
    const calls = createInFlightAverage(now);
    time = 100;
    const start = calls.mark();
    for (let i = 0; i < 8; i++) calls.change(+1);
    time = 120;
    expect(calls.averageSince(start).average).toBe(8);
  });

  it("starts the next average at the mark it returns", () => {
    const calls = createInFlightAverage(now);
    calls.change(+4);
    time = 10;
    const first = calls.averageSince(calls.mark());
    time = 20;
    calls.change(-4);
    time = 30;
    const second = calls.averageSince(first.mark);
    expect(second.average).toBe(2); // 4 for 10 ms, 0 for 10 ms
    expect(second.mark).toEqual({ atMs: 30, area: 80 });
  });

  it("gives the count now without a previous mark or when no time has passed", () => {
    const calls = createInFlightAverage(now);
    calls.change(+3);
    expect(calls.averageSince(undefined).average).toBe(3);
    expect(calls.averageSince(calls.mark()).average).toBe(3);
    expect(calls.inFlight).toBe(3);
  });
  it("counts a change at the time its caller read, not the clock's reading when it is recorded", () => {
    const calls = createInFlightAverage(now);
    const start = calls.mark();
    time = 30;
    calls.change(+2, 10); // admitted at 10, recorded at 30
    expect(calls.averageSince(start).average).toBe(40 / 30); // 2 calls for 20 of 30 ms
  });
});

// The overload bench's caller-side contender end to end on loopback: Sluice's client with the
// server's limit in the caller, driven by the open loop, counts and times sheds by where they happened.
import { runOpenLoopPhase } from "../../bench/src/harness/open-loop.js";
import { openLoopFigure } from "../../bench/src/harness/stats.js";
import { decodeHistogram } from "../../bench/src/harness/histogram.js";
import { startServer } from "../../bench/src/contenders/overload-server.js";
import { createCaller } from "../../bench/src/contenders/sluice-limited-client.js";
import type { Sample } from "../../bench/src/harness/scenario.js";

describe("the overload bench's caller-side shedding", () => {
  it("sheds most of a 4× load in the caller, counts those sheds apart from the server's, and loses no call", async () => {
    const server = await startServer({ capacity: 16, serviceMs: 10, limiter: "fixed" });
    const caller = await createCaller(server.ports, { limiter: "fixed", capacity: 16, serviceMs: 10 });
    try {
      // 4× the capacity (6,400 calls/s) for 300 ms: about 1,900 calls, at most 16 at once past the caller.
      const result = await runOpenLoopPhase(caller, { concurrency: 20_000, arrivalPerSec: 6400, durationMs: 300, timeoutMs: 10_000, callArgs: { timeoutMs: 1000 } });
      const o = result.openLoop!;
      expect(o.offered).toBeGreaterThan(1000);
      expect(result.calls + o.rejected + o.failed).toBe(o.offered);
      expect(o.failed).toBe(0);
      expect(o.callerLimitAtEnd).toBe(16);
      expect(o.callerRejected).toBeGreaterThan(o.offered / 2);
      expect(o.callerRejected).toBeLessThanOrEqual(o.rejected);
      const atCaller = decodeHistogram(o.callerRejectHistogram!);
      const atServer = decodeHistogram(o.serverRejectHistogram!);
      expect(atCaller.totalCount).toBe(o.callerRejected);
      expect(atCaller.totalCount + atServer.totalCount).toBe(o.rejected);
      const sample = { run: 1, contender: "caller-fixed", point: "x4", client: result, server: { cpu: { user: 0, system: 0 }, peakRssBytes: 0 } } as unknown as Sample;
      const figure = openLoopFigure([sample])!;
      expect(figure.callerRejectedShare).toBeCloseTo(o.callerRejected! / o.offered, 10);
      expect(figure.callerRejectP50Us).toBeGreaterThan(0);
    } finally {
      await caller.close();
      await server.close();
    }
  });

  it("leaves the split out for a caller that cannot tell where a shed happened", async () => {
    const failing = { call: () => Promise.reject(Object.assign(new Error("shed"), { code: 8 })), close: async () => {} };
    const result = await runOpenLoopPhase(failing, { concurrency: 100, arrivalPerSec: 1000, durationMs: 20, timeoutMs: 1000, callArgs: {} });
    expect(result.openLoop?.rejected).toBeGreaterThan(0);
    expect(result.openLoop?.callerRejected).toBeUndefined();
    expect(result.openLoop?.callerRejectHistogram).toBeUndefined();
  });
});

// The bench harness's measuring parts: several server processes' reports merged into one, and the
// stall meter seeing a blocked event loop.
import { mergeServerReports } from "../../bench/src/harness/server-reports.js";
import { createStallMeter, loopDelayBeyondPeriodMs } from "../../bench/src/harness/stall-meter.js";
import type { ServerReport, StallReport } from "../../bench/src/harness/scenario.js";

const stalls = (loopMax: number, wait?: number): StallReport => ({
  loopDelayP99Ms: loopMax / 2,
  loopDelayMaxMs: loopMax,
  gcPauseMaxMs: loopMax / 4,
  gcPauseMsPerS: 1,
  ...(wait !== undefined ? { runQueueWaitMsPerS: wait } : {}),
});

describe("mergeServerReports", () => {
  it("adds up CPU, RSS and counters, and keeps the worst process's stalls", () => {
    const a: ServerReport = {
      cpu: { userUs: 100, systemUs: 10 },
      peakRssBytes: 1000,
      stalls: stalls(8, 30),
      counters: { attempts: { first: 10, extra: 1 } },
    };
    const b: ServerReport = {
      cpu: { userUs: 200, systemUs: 20 },
      peakRssBytes: 2000,
      stalls: stalls(40, 5),
      counters: { attempts: { first: 5 }, ends: { cancelled: 2 } },
      gauges: { limit: 7 },
    };
    expect(mergeServerReports([a, b])).toEqual({
      cpu: { userUs: 300, systemUs: 30 },
      peakRssBytes: 3000,
      stalls: { loopDelayP99Ms: 20, loopDelayMaxMs: 40, gcPauseMaxMs: 10, gcPauseMsPerS: 1, runQueueWaitMsPerS: 30 },
      counters: { attempts: { first: 15, extra: 1 }, ends: { cancelled: 2 } },
      gauges: { limit: 7 },
    });
  });

  it("returns a single process's report as it is", () => {
    const only: ServerReport = { cpu: { userUs: 1, systemUs: 2 }, peakRssBytes: 3 };
    expect(mergeServerReports([only])).toBe(only);
  });
});

describe("createStallMeter", () => {
  it("sees a 100 ms block of the event loop as a loop delay of tens of ms", async () => {
    const meter = createStallMeter();
    // The monitor records nothing before its first tick (20 ms after start): block after it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const end = performance.now() + 100;
    while (performance.now() < end) {
      // blocks the event loop
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    const report = meter.stop();
    expect(report.loopDelayMaxMs).toBeGreaterThanOrEqual(50);
    expect(report.gcPauseMaxMs).toBeGreaterThanOrEqual(0);
    if (process.platform === "linux") expect(report.runQueueWaitMsPerS).toBeGreaterThanOrEqual(0);
  });

  it("counts only what exceeds its 20 ms sampling period as loop delay, so an on-time tick is 0 ms", () => {
    // The monitor records whole intervals between its runs, period included (ns).
    expect(loopDelayBeyondPeriodMs(20e6, 15)).toBe(0);
    expect(loopDelayBeyondPeriodMs(19.5e6, 15)).toBe(0);
    expect(loopDelayBeyondPeriodMs(35e6, 15)).toBe(15);
    expect(loopDelayBeyondPeriodMs(35e6, 0)).toBe(0); // nothing recorded yet
  });
});

// Measures what stalls a process over a window: event-loop delay, GC pauses, and the time its main
// thread waited for a CPU (Linux /proc/self/schedstat), to tell a busy machine from the code measured.
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import type { StallReport } from "./scenario.js";

/**
 * Sampling period of the event-loop delay monitor, ms: a stall shows as that much delay whatever
 * the period; a short one keeps waking the process, which on a busy machine perturbs what it measures.
 */
const LOOP_RESOLUTION_MS = 20;

/** A window opened by `createStallMeter` and closed by `stop`. */
export interface StallMeter {
  /** Ends the window and returns its stalls. */
  stop(): StallReport;
}

/** Nanoseconds the main thread waited on a run queue so far, or `undefined` off Linux. */
function runQueueWaitNs(): number | undefined {
  try {
    const [, waitNs] = readFileSync("/proc/self/schedstat", "utf8").trim().split(/\s+/);
    const value = Number(waitNs);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The loop delay in one of the monitor's figures: the monitor records the whole interval between its
 * timer's runs (ns), period included, so an on-time tick shows ~{@link LOOP_RESOLUTION_MS}; the delay
 * is what exceeds the period (0 when the monitor recorded nothing).
 */
export function loopDelayBeyondPeriodMs(intervalNs: number, samples: number): number {
  return samples === 0 ? 0 : Math.max(0, intervalNs / 1e6 - LOOP_RESOLUTION_MS);
}

/** Starts measuring event-loop delay, GC pauses and run-queue wait until `stop()`. */
export function createStallMeter(): StallMeter {
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  let gcTotalMs = 0;
  let gcMaxMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcTotalMs += entry.duration;
      gcMaxMs = Math.max(gcMaxMs, entry.duration);
    }
  });
  gc.observe({ entryTypes: ["gc"] });
  const waitStart = runQueueWaitNs();
  const t0 = performance.now();
  return {
    stop() {
      loop.disable();
      gc.disconnect();
      const elapsedS = Math.max(1e-3, (performance.now() - t0) / 1000);
      const waitEnd = runQueueWaitNs();
      const loopMs = (ns: number): number => loopDelayBeyondPeriodMs(ns, loop.count);
      return {
        loopDelayP99Ms: loopMs(loop.percentile(99)),
        loopDelayMaxMs: loopMs(loop.max),
        gcPauseMaxMs: gcMaxMs,
        gcPauseMsPerS: gcTotalMs / elapsedS,
        ...(waitStart !== undefined && waitEnd !== undefined ? { runQueueWaitMsPerS: (waitEnd - waitStart) / 1e6 / elapsedS } : {}),
      };
    },
  };
}

// Measures a process's own CPU time, peak RSS and stalls over a window (runs inside each child process).
import type { ResourceReport } from "./scenario.js";
import { createStallMeter } from "./stall-meter.js";

/** Sampling period of the RSS sampler, ms (cheap: one syscall per tick). */
const RSS_SAMPLE_MS = 100;

/** A window opened by `createResourceMeter` and closed by `stop`. */
export interface ResourceMeter {
  /** Ends the window and returns CPU time, peak RSS and stalls over it. */
  stop(): ResourceReport;
}

/** Starts measuring CPU time (process.cpuUsage), stalls and sampling RSS until `stop()`. */
export function createResourceMeter(): ResourceMeter {
  const start = process.cpuUsage();
  const stalls = createStallMeter();
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, RSS_SAMPLE_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      const cpu = process.cpuUsage(start);
      return { cpu: { userUs: cpu.user, systemUs: cpu.system }, peakRssBytes: peak, stalls: stalls.stop() };
    },
  };
}

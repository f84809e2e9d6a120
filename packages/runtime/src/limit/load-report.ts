// The server's load report, computed per call: utilization (in flight ÷ limit), process CPU over a
// window, completed calls and errors per second, and an EWMA of the server's own handler latency.
import { createSlidingRate } from "./sliding-rate.js";
import { numberOption } from "./validate.js";

/** One load report, as sent in the `sluice-load` trailer. */
export interface LoadReport {
  /** In flight ÷ concurrency limit (absent without a limit). */
  readonly util?: number;
  /** Process CPU time ÷ wall time over the last window (one fully busy core = 1). */
  readonly cpu?: number;
  /** Calls completed per second over the last window. */
  readonly qps: number;
  /** Calls that ended in an error per second over the last window. */
  readonly eps: number;
  /** EWMA of the handler latency in milliseconds (absent before the first call ends). */
  readonly latMs?: number;
}

/** CPU time used by the process so far, in microseconds (as `process.cpuUsage()`). */
export type CpuUsage = () => { readonly user: number; readonly system: number };

/** Options of {@link createLoadReporter}. */
export interface LoadReporterOptions {
  /** Monotonic clock in milliseconds. */
  readonly now: () => number;
  /** CPU time source (default none: no `cpu` field). */
  readonly cpuUsage?: CpuUsage;
  /** Window of the rates and the CPU figure, ms (default 1000). */
  readonly windowMs?: number;
  /** Weight of each new latency in the EWMA, in (0, 1] (default 0.1). */
  readonly latencyWeight?: number;
}

/** Collects what a load report needs. */
export interface LoadReporter {
  /** Records a call that ended now after `latencyMs`, with or without an error. */
  onCallEnd(latencyMs: number, error: boolean): void;
  /** The report now; `util` is passed in by the caller that knows the limit. */
  report(util?: number): LoadReport;
  /** The EWMA of the handler latency in ms (undefined before the first call ends), without building a report. */
  latencyMs(): number | undefined;
}

/**
 * Creates a load reporter.
 * @throws Error naming `loadReport.windowMs` or `loadReport.latencyWeight` when out of range.
 * @example
 * const reporter = createLoadReporter({ now: () => performance.now(), cpuUsage: () => process.cpuUsage() });
 * reporter.onCallEnd(3.1, false);
 * formatLoadReport(reporter.report(0.42)); // "util=0.42,cpu=…,qps=1,eps=0,lat_ms=3.1"
 */
export function createLoadReporter(options: LoadReporterOptions): LoadReporter {
  const { now, cpuUsage } = options;
  const windowMs = numberOption("loadReport.windowMs", options.windowMs, 1000, { min: 10 });
  const latencyWeight = numberOption("loadReport.latencyWeight", options.latencyWeight, 0.1, { min: 0, minExclusive: true, max: 1 });
  const calls = createSlidingRate(now, windowMs);
  const errors = createSlidingRate(now, windowMs);
  let latency: number | undefined;
  let cpu: number | undefined;
  const cpuTotal = (): number => {
    const u = cpuUsage?.();
    return u === undefined ? 0 : u.user + u.system;
  };
  let cpuStampMs = now();
  let cpuStampUs = cpuTotal();

  const refreshCpu = (): void => {
    if (cpuUsage === undefined) return;
    const t = now();
    if (t - cpuStampMs < windowMs) return;
    const used = cpuTotal();
    cpu = (used - cpuStampUs) / ((t - cpuStampMs) * 1000);
    cpuStampMs = t;
    cpuStampUs = used;
  };

  return {
    onCallEnd(latencyMs, error) {
      calls.add();
      if (error) errors.add();
      if (Number.isFinite(latencyMs) && latencyMs >= 0) {
        latency = latency === undefined ? latencyMs : latency + latencyWeight * (latencyMs - latency);
      }
    },
    latencyMs: () => latency,
    report(util) {
      refreshCpu();
      return {
        ...(util !== undefined ? { util } : {}),
        ...(cpu !== undefined ? { cpu } : {}),
        qps: calls.perSecond(),
        eps: errors.perSecond(),
        ...(latency !== undefined ? { latMs: latency } : {}),
      };
    },
  };
}

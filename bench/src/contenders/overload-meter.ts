// What the overload scenario's servers measure over each window: the Echo handler's time, how late
// the capacity gate's timers fired, the server's part of each shed, and the limit sampled over time.
import type { BenchServer } from "../harness/contracts.js";
import { createLatencyHistogram, percentiles, recordLatency } from "../harness/histogram.js";
import { createCapacityGate, type CapacityGate } from "./capacity-gate.js";

/** A server's concurrency limit and its count of sheds since it started (undefined: no limiter). */
export interface LimitView {
  readonly limit?: number | undefined;
  readonly shed: number;
}

/** The capacity gate of an overload server and what it records. */
export interface OverloadMeter {
  /** The service: `capacity` calls at once, `serviceMs` each (capacity-gate.ts). */
  readonly gate: CapacityGate;
  /** Records an Echo handler's time since `beganMs` (performance.now()). */
  handled(beganMs: number): void;
  /** Records the server's part of one shed (ms): the `onShed` of reject-stamps.ts's timeShedAnswers. */
  readonly shedTimed: (serverRejectMs: number) => void;
  /**
   * The bench server listening on `ports` (`close` stops it): starts sampling `limits()` every 50 ms
   * and gives the window hooks, `mark`, `gauges` and `series`. Gauges: `limit` at the
   * end of the window, `shed` calls in it, `serverRejectP99Us` (p99 of the server's part of a shed);
   * `handlerMeanUs`, the Echo handler's mean time (gate wait + service + timer lateness), and
   * `timerLateMeanUs` / `timerLateP99Us`, how late the gate's timers fired. Series: `limit`.
   */
  benchServer(ports: readonly number[], limits: () => LimitView | undefined, close: () => Promise<void>): BenchServer;
}

/** Period of the limit samples, ms. */
const SAMPLE_MS = 50;

/** Creates the gate of `capacity` calls of `serviceMs` and the histograms of one window. */
export function createOverloadMeter(capacity: number, serviceMs: number): OverloadMeter {
  let handlerTimes = createLatencyHistogram();
  let timerLateness = createLatencyHistogram();
  let serverRejects = createLatencyHistogram();
  const gate = createCapacityGate(capacity, serviceMs, undefined, (lateMs) => recordLatency(timerLateness, lateMs * 1000));
  return {
    gate,
    handled: (beganMs) => recordLatency(handlerTimes, (performance.now() - beganMs) * 1000),
    shedTimed: (ms) => recordLatency(serverRejects, ms * 1000),
    benchServer(ports, limits, close) {
      let markedAt = performance.now();
      let shedAtMark = 0;
      let samples: Array<[number, number]> = [];
      const sample = (): void => {
        const limit = limits()?.limit;
        if (limit !== undefined) samples.push([Math.round(performance.now() - markedAt), limit]);
      };
      const sampler = setInterval(sample, SAMPLE_MS);
      sampler.unref();
      return {
        ports,
        mark() {
          markedAt = performance.now();
          shedAtMark = limits()?.shed ?? 0;
          serverRejects = createLatencyHistogram();
          handlerTimes = createLatencyHistogram();
          timerLateness = createLatencyHistogram();
          samples = [];
          sample();
        },
        gauges() {
          const timing = {
            ...(handlerTimes.totalCount > 0 ? { handlerMeanUs: handlerTimes.mean } : {}),
            ...(timerLateness.totalCount > 0 ? { timerLateMeanUs: timerLateness.mean, timerLateP99Us: percentiles(timerLateness).p99 } : {}),
          };
          const stats = limits();
          if (stats?.limit === undefined) return timing;
          const shed = stats.shed - shedAtMark;
          return { ...timing, limit: stats.limit, shed, ...(shed > 0 ? { serverRejectP99Us: percentiles(serverRejects).p99 } : {}) };
        },
        series: () => ({ limit: samples }),
        async close() {
          clearInterval(sampler);
          await close();
        },
      };
    },
  };
}

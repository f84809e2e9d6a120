// The load-report picker: weighted round robin by the weights servers' load reports give each
// endpoint (gRFC A58): earliest-deadline-first scheduling, weights refreshed on a period, plain
// round robin while fewer than two endpoints have a weight.
import type { PickCandidate, Picker, PickerEnv, PickerPolicy } from "../picker.js";
import { createEdfScheduler, schedulingWeights, type EdfScheduler } from "../load/edf-scheduler.js";

/** Options of the `"load-report"` policy. */
export interface LoadReportPolicyOptions {
  /** How often the picker reads the endpoints' weights again, ms (default 1000, as A58's weight_update_period). */
  readonly weightUpdatePeriodMs?: number;
}

/**
 * The `"load-report"` policy: each candidate's `loadWeight(now)` (qps ÷ (utilization + eps/qps ×
 * penalty), from the `sluice-load` trailers its server sends; see the channel's `loadReports`
 * option for the blackout and expiry) schedules its share of the picks. Endpoints without a weight
 * get the mean of the others; with fewer than two weighted endpoints every one gets the same share.
 * Weights are read again every `weightUpdatePeriodMs`, so a server that grows busy loses traffic
 * within about a second of its reports saying so.
 *
 * @throws Error naming `${field}.weightUpdatePeriodMs` when it is not a finite number > 0.
 * @example
 * createChannel({ target, balancer: { policy: "load-report", weightUpdatePeriodMs: 500 }, loadReports: { blackoutMs: 1000 } });
 */
export function createLoadReportPolicy(options: LoadReportPolicyOptions = {}, field = "balancer"): PickerPolicy {
  const period = options.weightUpdatePeriodMs ?? 1000;
  if (typeof period !== "number" || !Number.isFinite(period) || period <= 0) {
    throw new Error(`${field}.weightUpdatePeriodMs: must be a finite number > 0 (milliseconds), got ${String(period)}`);
  }
  return {
    name: "load-report",
    build<C extends PickCandidate>(ready: readonly C[], env: PickerEnv): Picker<C> {
      const list = ready.slice();
      let scheduler: EdfScheduler | undefined;
      let builtAt = Number.NEGATIVE_INFINITY;
      const schedule = (now: number): EdfScheduler => {
        if (scheduler === undefined || now - builtAt >= period) {
          const weights = schedulingWeights(list.map((c) => c.loadWeight?.(now) ?? 0));
          scheduler = createEdfScheduler(weights, env.random);
          builtAt = now;
        }
        return scheduler;
      };
      return {
        pick() {
          if (list.length <= 1) return list[0];
          const index = schedule(env.now()).next();
          return index === undefined ? undefined : list[index];
        },
      };
    },
  };
}

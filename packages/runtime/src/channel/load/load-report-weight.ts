// An endpoint's weight from its load reports, as gRFC A58 (weighted round robin) computes it:
// qps ÷ (utilization + eps/qps × penalty), used only after a blackout and forgotten when stale.
import type { LoadReport } from "../../limit/load-report.js";

/** Options of {@link createLoadReportWeight}; defaults are gRFC A58's. */
export interface LoadReportWeightOptions {
  /** A weight is used only once reports have arrived for this long, ms (default 10 000). */
  readonly blackoutMs?: number;
  /** A weight whose last report is older than this is dropped, ms (default 180 000). */
  readonly expirationMs?: number;
  /** Multiplier of the error rate's share of utilization, >= 0 (default 1). */
  readonly errorUtilizationPenalty?: number;
}

/** One endpoint's weight state. */
export interface LoadReportWeight {
  /** Feeds a report received at `nowMs`. */
  onReport(report: LoadReport, nowMs: number): void;
  /** The weight to use at `nowMs`, or 0 when there is none (no report, blackout, or expired). */
  weight(nowMs: number): number;
}

function checkMs(field: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new Error(`${field}: must be a finite number >= 0 (milliseconds), got ${String(value)}`);
  }
  return v;
}

/**
 * The weight of one report: `qps / (utilization + eps / qps × penalty)`, where utilization is the
 * report's `util` when > 0, else its `cpu`. 0 when qps or the denominator is 0 (the report says
 * nothing usable).
 * @example
 * reportWeight({ util: 0.5, qps: 100, eps: 10 }, 1); // 100 / (0.5 + 0.1) ≈ 166.7
 */
export function reportWeight(report: LoadReport, errorUtilizationPenalty: number): number {
  const { qps, eps } = report;
  if (!(qps > 0)) return 0;
  const utilization = report.util !== undefined && report.util > 0 ? report.util : (report.cpu ?? 0);
  const denominator = utilization + (eps / qps) * errorUtilizationPenalty;
  return denominator > 0 ? qps / denominator : 0;
}

/**
 * Creates an endpoint's weight state. As in A58: a report with weight 0 is ignored; `nonEmptySince`
 * is when the first usable report arrived since the weight was last unusable; the weight is used
 * from `nonEmptySince + blackoutMs` on, and once the last usable report is older than
 * `expirationMs` the weight is dropped and the blackout starts over with the next report.
 * @throws Error naming the field when an option is out of range.
 */
export function createLoadReportWeight(options: LoadReportWeightOptions = {}): LoadReportWeight {
  const blackoutMs = checkMs("blackoutMs", options.blackoutMs, 10_000);
  const expirationMs = checkMs("expirationMs", options.expirationMs, 180_000);
  const penalty = options.errorUtilizationPenalty ?? 1;
  if (typeof penalty !== "number" || !Number.isFinite(penalty) || penalty < 0) {
    throw new Error(`errorUtilizationPenalty: must be a finite number >= 0, got ${String(options.errorUtilizationPenalty)}`);
  }
  let value = 0;
  let nonEmptySince: number | undefined;
  let lastUpdate = Number.NEGATIVE_INFINITY;
  const expired = (nowMs: number): boolean => nowMs - lastUpdate >= expirationMs;
  return {
    onReport(report, nowMs) {
      const w = reportWeight(report, penalty);
      if (w === 0) return;
      if (nonEmptySince === undefined || expired(nowMs)) nonEmptySince = nowMs;
      value = w;
      lastUpdate = nowMs;
    },
    weight(nowMs) {
      if (nonEmptySince === undefined) return 0;
      if (expired(nowMs)) {
        nonEmptySince = undefined;
        return 0;
      }
      return nowMs - nonEmptySince < blackoutMs ? 0 : value;
    },
  };
}

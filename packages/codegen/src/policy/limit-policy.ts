// Reads and validates a `sluice.v1.LimitPolicy` (a method's server-side admission limit) into the
// plain options `serve()` takes, with the same ranges the runtime's limit algorithms enforce.
import { QueueOrder, type LimitPolicy } from "../gen/sluice/v1/options_pb.js";
import type { LimitAlgorithmName, LimitPlan, LimitSetting } from "./plan.js";
import type { Report } from "./problems.js";

/** Accepted range of one numeric setting. */
interface Range {
  readonly min: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly integer?: boolean;
}

/** One setting of an algorithm message: its proto name, its runtime name and its range. */
interface SettingRule {
  readonly field: string;
  readonly key: string;
  readonly range: Range;
  readonly required?: boolean;
}

const atLeastOne: Range = { min: 1, integer: true };
const positive: Range = { min: 0, minExclusive: true };
const share: Range = { min: 0, minExclusive: true, max: 1 };

/** The settings of each algorithm, as the runtime's `createLimitAlgorithm` accepts them. */
const algorithmRules: Readonly<Record<LimitAlgorithmName, readonly SettingRule[]>> = {
  fixed: [{ field: "limit", key: "limit", range: atLeastOne, required: true }],
  aimd: [
    { field: "initial_limit", key: "initialLimit", range: atLeastOne },
    { field: "min_limit", key: "minLimit", range: atLeastOne },
    { field: "max_limit", key: "maxLimit", range: atLeastOne },
    { field: "backoff_ratio", key: "backoffRatio", range: { min: 0.5, max: 1 } },
    { field: "timeout_ms", key: "timeoutMs", range: positive },
  ],
  vegas: [
    { field: "initial_limit", key: "initialLimit", range: atLeastOne },
    { field: "max_limit", key: "maxLimit", range: atLeastOne },
    { field: "smoothing", key: "smoothing", range: share },
    { field: "probe_multiplier", key: "probeMultiplier", range: atLeastOne },
  ],
  gradient2: [
    { field: "initial_limit", key: "initialLimit", range: atLeastOne },
    { field: "min_limit", key: "minLimit", range: atLeastOne },
    { field: "max_limit", key: "maxLimit", range: atLeastOne },
    { field: "smoothing", key: "smoothing", range: share },
    { field: "long_window", key: "longWindow", range: atLeastOne },
    { field: "rtt_tolerance", key: "rttTolerance", range: { min: 1 } },
    { field: "queue_size", key: "queueSize", range: { min: 0 } },
  ],
  "envoy-gradient": [
    { field: "update_interval_ms", key: "updateIntervalMs", range: positive },
    { field: "sample_percentile", key: "samplePercentile", range: { min: 0, minExclusive: true, max: 100 } },
    { field: "min_rtt_interval_ms", key: "minRttIntervalMs", range: positive },
    { field: "min_rtt_request_count", key: "minRttRequestCount", range: atLeastOne },
    { field: "jitter_percent", key: "jitterPercent", range: { min: 0, max: 100 } },
    { field: "min_concurrency", key: "minConcurrency", range: atLeastOne },
    { field: "buffer_percent", key: "bufferPercent", range: { min: 0 } },
    { field: "max_limit", key: "maxLimit", range: atLeastOne },
  ],
};

const algorithmOfCase: Readonly<Record<NonNullable<LimitPolicy["concurrency"]["case"]>, LimitAlgorithmName>> = {
  fixed: "fixed",
  aimd: "aimd",
  vegas: "vegas",
  gradient2: "gradient2",
  envoyGradient: "envoy-gradient",
};

/** Proto field name of each oneof case, for messages. */
const fieldOfCase: Readonly<Record<NonNullable<LimitPolicy["concurrency"]["case"]>, string>> = {
  fixed: "fixed",
  aimd: "aimd",
  vegas: "vegas",
  gradient2: "gradient2",
  envoyGradient: "envoy_gradient",
};

/** The settings of a sample window (`LimitWindow`), as the runtime's `createWindowedLimit` accepts them. */
const windowRules: readonly SettingRule[] = [
  { field: "min_window_ms", key: "minWindowMs", range: { min: 100 } },
  { field: "max_window_ms", key: "maxWindowMs", range: { min: 100 } },
  { field: "window_size", key: "windowSize", range: { min: 10, integer: true } },
  { field: "min_rtt_threshold_ms", key: "minRttThresholdMs", range: { min: 0 } },
];

/** The algorithms that update per call and so may take a window. */
const windowedAlgorithms: ReadonlySet<LimitAlgorithmName> = new Set(["aimd", "vegas", "gradient2"]);

/** Least, greatest and starting limit defaults of the algorithms that have all three. */
const boundDefaults = { minLimit: 20, maxLimit: 200, initialLimit: 20 } as const;

function describe(range: Range): string {
  const kind = range.integer === true ? "an integer" : "a number";
  const low = `${range.minExclusive === true ? ">" : ">="} ${range.min}`;
  return range.max === undefined ? `${kind} ${low}` : `${kind} ${low} and <= ${range.max}`;
}

function inRange(v: number, range: Range): boolean {
  return (
    Number.isFinite(v) &&
    (range.minExclusive === true ? v > range.min : v >= range.min) &&
    (range.max === undefined || v <= range.max) &&
    (range.integer !== true || Number.isInteger(v))
  );
}

/**
 * Validates `limit` (at `prefix`, e.g. `(sluice.v1.method).limit`) and returns its plan; every
 * problem goes to `report`.
 */
export function readLimit(limit: LimitPolicy, prefix: string, report: Report): LimitPlan {
  const plan: { -readonly [K in keyof LimitPlan]: LimitPlan[K] } = {};
  const concurrency = limit.concurrency;
  if (concurrency.case !== undefined) {
    const algorithm = algorithmOfCase[concurrency.case];
    const at = `${prefix}.${fieldOfCase[concurrency.case]}`;
    const settings = readSettings(concurrency.value as unknown as Record<string, unknown>, algorithm, at, report);
    plan.concurrency = limit.window === undefined ? { algorithm, settings } : { algorithm, settings, window: readWindow(limit, algorithm, prefix, report) };
  } else if (limit.window !== undefined) {
    report(`${prefix}.window`, "needs a concurrency limit (aimd, vegas or gradient2): a window paces that limit's updates");
  }
  if (limit.queue !== undefined) {
    if (concurrency.case === undefined) {
      report(`${prefix}.queue`, "needs a concurrency limit (fixed, aimd, vegas, gradient2 or envoy_gradient): a queue waits for a concurrency slot");
    }
    const { maxQueued, timeoutMs, order } = limit.queue;
    if (!inRange(maxQueued, atLeastOne)) report(`${prefix}.queue.max_queued`, `must be ${describe(atLeastOne)}, got ${maxQueued}`);
    if (timeoutMs <= 0n) report(`${prefix}.queue.timeout_ms`, `must be > 0, got ${timeoutMs}`);
    if (order !== QueueOrder.UNSPECIFIED && order !== QueueOrder.LIFO && order !== QueueOrder.FIFO) {
      report(`${prefix}.queue.order`, `has unknown value ${order} (accepted: QUEUE_ORDER_LIFO, QUEUE_ORDER_FIFO)`);
    }
    plan.queue = { maxQueued, timeoutMs: Number(timeoutMs), order: order === QueueOrder.FIFO ? "fifo" : "lifo" };
  }
  if (limit.rate !== undefined) {
    const { rate, burst } = limit.rate;
    if (!inRange(rate, positive)) report(`${prefix}.rate.rate`, `must be ${describe(positive)}, got ${rate}`);
    if (burst !== undefined && !inRange(burst, { min: 1 })) report(`${prefix}.rate.burst`, `must be ${describe({ min: 1 })}, got ${burst}`);
    plan.rate = burst === undefined ? { rate } : { rate, burst };
  }
  if (plan.concurrency === undefined && plan.rate === undefined && plan.queue === undefined) {
    report(prefix, "sets no limit: set a concurrency algorithm (fixed, aimd, vegas, gradient2 or envoy_gradient), a rate, or both");
  }
  return plan;
}

/** The settings of `limit.window`, checked; an algorithm that does not update per call is reported. */
function readWindow(limit: LimitPolicy, algorithm: LimitAlgorithmName, prefix: string, report: Report): LimitSetting[] {
  if (!windowedAlgorithms.has(algorithm)) {
    report(`${prefix}.window`, `is only for aimd, vegas and gradient2 (they update per call), got ${algorithm === "envoy-gradient" ? "envoy_gradient" : algorithm}`);
  }
  const { settings, values } = readRules(limit.window as unknown as Record<string, unknown>, windowRules, `${prefix}.window`, report);
  const min = values.get("minWindowMs") ?? 1000;
  const max = values.get("maxWindowMs") ?? 1000;
  if (min > max) report(`${prefix}.window.min_window_ms`, `must be <= max_window_ms (${max}), got ${min}${values.has("maxWindowMs") ? "" : " (max_window_ms is the default)"}`);
  return settings;
}

/** The fields of `message` that `rules` name, each checked against its range and reported at `at.<field>` when out of it. */
function readRules(message: Record<string, unknown>, rules: readonly SettingRule[], at: string, report: Report): { settings: LimitSetting[]; values: Map<string, number> } {
  const settings: LimitSetting[] = [];
  const values = new Map<string, number>();
  for (const rule of rules) {
    const raw = message[rule.key];
    if (raw === undefined) continue;
    const value = Number(raw as number | bigint);
    if (!inRange(value, rule.range)) {
      report(`${at}.${rule.field}`, `must be ${describe(rule.range)}${rule.required === true ? " (required)" : ""}, got ${value}`);
    }
    values.set(rule.key, value);
    settings.push([rule.key, value]);
  }
  return { settings, values };
}

/** The settings present in an algorithm message, checked against the algorithm's rules. */
function readSettings(message: Record<string, unknown>, algorithm: LimitAlgorithmName, at: string, report: Report): LimitSetting[] {
  const { settings, values } = readRules(message, algorithmRules[algorithm], at, report);
  const setting = (key: string, fallback: number): number => values.get(key) ?? fallback;
  if (algorithm === "aimd" || algorithm === "gradient2") {
    const min = setting("minLimit", boundDefaults.minLimit);
    const max = setting("maxLimit", boundDefaults.maxLimit);
    if (min > max) report(`${at}.min_limit`, `must be <= max_limit (${max}), got ${min}${values.has("minLimit") ? "" : " (the default)"}`);
    const initial = values.get("initialLimit");
    if (initial !== undefined && min <= max && (initial < min || initial > max)) {
      report(`${at}.initial_limit`, `must be between min_limit (${min}) and max_limit (${max}), got ${initial}`);
    }
  } else if (algorithm === "vegas") {
    const initial = values.get("initialLimit");
    const max = setting("maxLimit", 1000);
    if (initial !== undefined && initial > max) report(`${at}.initial_limit`, `must be <= max_limit (${max}), got ${initial}`);
  } else if (algorithm === "envoy-gradient") {
    const min = setting("minConcurrency", 3);
    const max = setting("maxLimit", 1000);
    if (min > max) report(`${at}.min_concurrency`, `must be <= max_limit (${max}), got ${min}`);
  }
  return settings;
}

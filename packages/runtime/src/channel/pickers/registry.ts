// The balancer registry: maps a policy name, or `{ policy, ...options }`, to its PickerPolicy and
// validates the options, naming the bad field and the accepted values.
import type { PickerPolicy } from "../picker.js";
import { createLeastRequestPolicy } from "./least-request.js";
import { createPeakEwmaPolicy, type PeakEwmaPolicyOptions } from "./peak-ewma.js";
import { createPickFirstPolicy } from "./pick-first.js";
import { createRandomPolicy } from "./random.js";
import { createRingHashPolicy, type RingHashPolicyOptions } from "./ring-hash.js";
import { createRoundRobinPolicy } from "./round-robin.js";
import { createWeightedRoundRobinPolicy } from "./weighted-round-robin.js";
import { createLoadReportPolicy, type LoadReportPolicyOptions } from "./load-report.js";

/** Names of the built-in balancing policies. */
export type PickerName =
  | "pick-first"
  | "round-robin"
  | "random"
  | "weighted-round-robin"
  | "least-request"
  | "peak-ewma"
  | "ring-hash"
  | "load-report";

/** Every {@link PickerName}, in documentation order. */
export const pickerNames: readonly PickerName[] = [
  "pick-first",
  "round-robin",
  "random",
  "weighted-round-robin",
  "least-request",
  "peak-ewma",
  "ring-hash",
  "load-report",
];

/** A policy without options, in object form. */
export interface PlainBalancerConfig {
  readonly policy: "pick-first" | "round-robin" | "random" | "weighted-round-robin" | "least-request";
}

/** `{ policy: "peak-ewma", defaultLatencyMs? }`. */
export interface PeakEwmaBalancerConfig extends PeakEwmaPolicyOptions {
  readonly policy: "peak-ewma";
}

/** `{ policy: "ring-hash", pointsPerWeight?, maxRingSize? }`. */
export interface RingHashBalancerConfig extends RingHashPolicyOptions {
  readonly policy: "ring-hash";
}

/** A policy registered with {@link registerPicker}, in object form: its name and its own options. */
export interface CustomBalancerConfig {
  readonly policy: string;
  /** Handed to the policy's factory as is. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** `{ policy: "load-report", weightUpdatePeriodMs? }`. */
export interface LoadReportBalancerConfig extends LoadReportPolicyOptions {
  readonly policy: "load-report";
}

/** A policy in object form, discriminated by `policy`. */
export type BalancerPolicyConfig = PlainBalancerConfig | PeakEwmaBalancerConfig | RingHashBalancerConfig | LoadReportBalancerConfig;

/**
 * The `balancer` option of a channel: a policy name, or an object naming the policy with its
 * options.
 *
 * @example
 * const a: BalancerConfig = "peak-ewma";
 * const b: BalancerConfig = { policy: "ring-hash", pointsPerWeight: 512 };
 */
export type BalancerConfig = PickerName | BalancerPolicyConfig | (string & {}) | CustomBalancerConfig;

/**
 * Builds a registered policy from its options (`options` of `{ policy, options }`, `{}` when given
 * by name). It should validate them and throw naming `${field}.<option>` and the accepted values.
 */
export type PickerFactory = (options: Readonly<Record<string, unknown>>, field: string) => PickerPolicy;

const customPolicies = new Map<string, PickerFactory>();

/**
 * Registers a balancing policy under `name`, so `createChannel({ balancer: name })` or
 * `{ balancer: { policy: name, options } }` uses it. Built-in names cannot be replaced.
 *
 * @throws Error when `name` is empty or names a built-in policy.
 * @example
 * ```ts
 * registerPicker("first-ready", () => ({
 *   name: "first-ready",
 *   build: (ready) => ({ pick: () => ready[0] }),
 * }));
 * const channel = createChannel({ target, balancer: "first-ready" });
 * ```
 */
export function registerPicker(name: string, factory: PickerFactory): void {
  if (typeof name !== "string" || name.length === 0) throw new Error("registerPicker: name must be a non-empty string");
  if (isPickerName(name)) throw new Error(`registerPicker: "${name}" is a built-in policy and cannot be replaced`);
  if (typeof factory !== "function") throw new Error(`registerPicker: the factory of "${name}" must be a function`);
  customPolicies.set(name, factory);
}

/** Every policy name a channel accepts now: the built-in ones, then the registered ones. */
export function acceptedPickerNames(): string[] {
  return [...pickerNames, ...customPolicies.keys()];
}

/** The options each policy accepts besides `policy`. */
const optionNames: Readonly<Record<PickerName, readonly string[]>> = {
  "pick-first": [],
  "round-robin": [],
  random: [],
  "weighted-round-robin": [],
  "least-request": [],
  "peak-ewma": ["defaultLatencyMs", "latency"],
  "ring-hash": ["pointsPerWeight", "maxRingSize"],
  "load-report": ["weightUpdatePeriodMs"],
};

function isPickerName(value: unknown): value is PickerName {
  return typeof value === "string" && (pickerNames as readonly string[]).includes(value);
}

function unknownPolicy(field: string, value: unknown): Error {
  const shown = typeof value === "string" ? `"${value}"` : String(value);
  return new Error(`${field}: unknown balancing policy ${shown}; accepted: ${acceptedPickerNames().join(", ")}`);
}

/**
 * The {@link PickerPolicy} for a balancer config, with its options validated.
 *
 * @throws Error naming the field (`balancer`, `balancer.policy`, `balancer.pointsPerWeight`, …) and the
 *   accepted values when the name is unknown, an option does not belong to the policy, or an option
 *   value is out of range.
 * @example
 * resolvePickerPolicy("round-robin").name; // "round-robin"
 * resolvePickerPolicy({ policy: "peak-ewma", defaultLatencyMs: 20 });
 */
export function resolvePickerPolicy(config: BalancerConfig): PickerPolicy {
  if (typeof config === "string") {
    const custom = customPolicies.get(config);
    if (custom !== undefined) return custom({}, "balancer");
    if (!isPickerName(config)) throw unknownPolicy("balancer", config);
    return createPolicy({ policy: config } as BalancerPolicyConfig);
  }
  if (typeof config !== "object" || config === null) {
    throw new Error(
      `balancer: must be a policy name or { policy, ...options }, got ${String(config)}; accepted policies: ${acceptedPickerNames().join(", ")}`,
    );
  }
  const policy: unknown = config.policy;
  const custom = typeof policy === "string" ? customPolicies.get(policy) : undefined;
  if (custom !== undefined) {
    return custom((config as Partial<CustomBalancerConfig>).options ?? {}, "balancer.options");
  }
  if (!isPickerName(policy)) throw unknownPolicy("balancer.policy", policy);
  const accepted = optionNames[policy];
  for (const [key, value] of Object.entries(config)) {
    if (key !== "policy" && value !== undefined && !accepted.includes(key)) {
      throw new Error(
        `balancer.${key}: not an option of "${policy}"; accepted: ${["policy", ...accepted].join(", ")}`,
      );
    }
  }
  return createPolicy(config as BalancerPolicyConfig);
}

function createPolicy(config: BalancerPolicyConfig): PickerPolicy {
  switch (config.policy) {
    case "pick-first":
      return createPickFirstPolicy();
    case "round-robin":
      return createRoundRobinPolicy();
    case "random":
      return createRandomPolicy();
    case "weighted-round-robin":
      return createWeightedRoundRobinPolicy();
    case "least-request":
      return createLeastRequestPolicy();
    case "peak-ewma":
      return createPeakEwmaPolicy(config, "balancer");
    case "ring-hash":
      return createRingHashPolicy(config, "balancer");
    case "load-report":
      return createLoadReportPolicy(config, "balancer");
  }
}

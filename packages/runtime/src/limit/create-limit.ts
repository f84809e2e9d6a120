// Builds a limit algorithm from a serialisable spec (`{ algorithm: "aimd", … }`), so server and
// client options can name the algorithm and carry its settings.
import { createAimdLimit, type AimdLimitOptions } from "./aimd-limit.js";
import { createEnvoyGradientLimit, type EnvoyGradientLimitOptions } from "./envoy-gradient-limit.js";
import { createFixedLimit, type FixedLimitOptions } from "./fixed-limit.js";
import { createGradient2Limit, type Gradient2LimitOptions } from "./gradient2-limit.js";
import type { LimitAlgorithm } from "./limit-algorithm.js";
import { createVegasLimit, type VegasLimitOptions } from "./vegas-limit.js";

/** A limit algorithm and its settings, as given in options. */
export type LimitSpec =
  | ({ readonly algorithm: "fixed" } & FixedLimitOptions)
  | ({ readonly algorithm: "aimd" } & AimdLimitOptions)
  | ({ readonly algorithm: "vegas" } & Omit<VegasLimitOptions, "random">)
  | ({ readonly algorithm: "gradient2" } & Gradient2LimitOptions)
  | ({ readonly algorithm: "envoy-gradient" } & Omit<EnvoyGradientLimitOptions, "now" | "random">);

/** The accepted values of `LimitSpec.algorithm`. */
export const limitAlgorithms = ["fixed", "aimd", "vegas", "gradient2", "envoy-gradient"] as const;

/** Clock and randomness given to the algorithms that need them. */
export interface LimitEnv {
  readonly now: () => number;
  readonly random?: () => number;
}

/**
 * Creates the algorithm `spec` names. Errors name the field under `field` (e.g.
 * `limits.concurrency.maxLimit: must be …`).
 * @throws Error naming `<field>.algorithm` for an unknown algorithm, or the bad setting.
 * @example
 * createLimitAlgorithm({ algorithm: "aimd", maxLimit: 100 }, { now: () => performance.now() });
 */
export function createLimitAlgorithm(spec: LimitSpec, env: LimitEnv, field = "concurrency"): LimitAlgorithm {
  try {
    switch (spec?.algorithm) {
      case "fixed":
        return createFixedLimit(spec);
      case "aimd":
        return createAimdLimit(spec);
      case "vegas":
        return createVegasLimit({ ...spec, random: env.random });
      case "gradient2":
        return createGradient2Limit(spec);
      case "envoy-gradient":
        return createEnvoyGradientLimit({ ...spec, now: env.now, random: env.random });
      default:
        throw new Error(`algorithm: must be one of ${limitAlgorithms.join(", ")}, got ${String((spec as { algorithm?: unknown } | undefined)?.algorithm)}`);
    }
  } catch (error) {
    throw new Error(`${field}.${(error as Error).message}`);
  }
}

// Builds a limit algorithm from a serialisable spec (`{ algorithm: "aimd", … }`), so server and
// client options can name the algorithm and carry its settings.
import { createAimdLimit, type AimdLimitOptions } from "./aimd-limit.js";
import { createEnvoyGradientLimit, type EnvoyGradientLimitOptions } from "./envoy-gradient-limit.js";
import { createFixedLimit, type FixedLimitOptions } from "./fixed-limit.js";
import { createGradient2Limit, type Gradient2LimitOptions } from "./gradient2-limit.js";
import type { LimitAlgorithm } from "./limit-algorithm.js";
import { createVegasLimit, type VegasLimitOptions } from "./vegas-limit.js";
import { createWindowedLimit, type LimitWindowOptions } from "./windowed-limit.js";

/** The per-call algorithms may update once per sample window instead (Netflix's `WindowedLimit`). */
interface Windowed {
  /** Update the limit once per window of samples (see createWindowedLimit); default: once per call. */
  readonly window?: LimitWindowOptions;
}

/** A limit algorithm and its settings, as given in options. */
export type LimitSpec =
  | ({ readonly algorithm: "fixed" } & FixedLimitOptions)
  | ({ readonly algorithm: "aimd" } & AimdLimitOptions & Windowed)
  | ({ readonly algorithm: "vegas" } & Omit<VegasLimitOptions, "random"> & Windowed)
  | ({ readonly algorithm: "gradient2" } & Gradient2LimitOptions & Windowed)
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
    const window = (spec as { window?: LimitWindowOptions } | undefined)?.window;
    const windowed = (algorithm: LimitAlgorithm): LimitAlgorithm => {
      if (window === undefined) return algorithm;
      try {
        return createWindowedLimit(algorithm, window);
      } catch (error) {
        throw new Error(`window.${(error as Error).message}`);
      }
    };
    // Envoy's controller already updates once per interval; a fixed limit never moves.
    if (window !== undefined && (spec.algorithm === "fixed" || spec.algorithm === "envoy-gradient")) {
      throw new Error(`window: only aimd, vegas and gradient2 update per sample and take a window, got one for ${spec.algorithm}`);
    }
    switch (spec?.algorithm) {
      case "fixed":
        return createFixedLimit(spec);
      case "envoy-gradient":
        return createEnvoyGradientLimit({ ...spec, now: env.now, random: env.random });
      case "aimd":
        return windowed(createAimdLimit(spec));
      case "vegas":
        return windowed(createVegasLimit({ ...spec, random: env.random }));
      case "gradient2":
        return windowed(createGradient2Limit(spec));
      default:
        throw new Error(`algorithm: must be one of ${limitAlgorithms.join(", ")}, got ${String((spec as { algorithm?: unknown } | undefined)?.algorithm)}`);
    }
  } catch (error) {
    throw new Error(`${field}.${(error as Error).message}`);
  }
}

// The peak-EWMA picker: "power of two choices" on expected cost = latency estimate × (calls in
// flight + 1), so slow or busy endpoints get less traffic as soon as it shows.
import type { PickCandidate, Picker, PickerEnv, PickerPolicy } from "../picker.js";
import { failureMultiplier, sampleTwo } from "./two-choices.js";

/** Options of the `"peak-ewma"` policy. */
export interface PeakEwmaPolicyOptions {
  /**
   * Latency assumed for candidates without an estimate when no candidate has one (default 100 ms).
   * When some candidates have estimates, the others are given the mean of those instead.
   */
  readonly defaultLatencyMs?: number;
  /**
   * Whose latency a candidate's cost uses: `"client"` (default) the round trip the client
   * measures; `"server"` the handler latency its server reports in load reports (free of
   * client-side stalls such as GC or a busy event loop), the client's estimate while none arrived.
   */
  readonly latency?: "client" | "server";
}

/** Latency floor, so that an estimate of 0 still lets calls in flight count. */
const MIN_LATENCY_MS = 1e-3;

/**
 * The `"peak-ewma"` policy: per pick, two distinct random candidates; the one with the lower
 * `latencyEstimate(now) × (inFlight + 1) / (1 − failureRate(now))` wins, the first sampled on a tie
 * (the failure term keeps an endpoint that fails fast from looking fast). A candidate with no
 * estimate yet is given a neutral latency (the mean of the known estimates, or `defaultLatencyMs`
 * when none is known) so new endpoints are neither flooded nor starved.
 *
 * @param options - policy options.
 * @param field - config path used in error messages (default `"balancer"`).
 * @throws Error naming the field when `defaultLatencyMs` is not a finite number > 0.
 * @example
 * createPeakEwmaPolicy({ defaultLatencyMs: 50 }).build(ready, env).pick({});
 */
export function createPeakEwmaPolicy(options: PeakEwmaPolicyOptions = {}, field = "balancer"): PickerPolicy {
  const defaultLatencyMs = options.defaultLatencyMs ?? 100;
  if (typeof defaultLatencyMs !== "number" || !Number.isFinite(defaultLatencyMs) || defaultLatencyMs <= 0) {
    throw new Error(`${field}.defaultLatencyMs: must be a finite number > 0 (milliseconds), got ${String(defaultLatencyMs)}`);
  }
  const latencySource = options.latency ?? "client";
  if (latencySource !== "client" && latencySource !== "server") {
    throw new Error(`${field}.latency: must be "client" or "server", got ${String(latencySource)}`);
  }
  const estimate =
    latencySource === "client"
      ? (c: PickCandidate, now: number) => c.latencyEstimate(now)
      : (c: PickCandidate, now: number) => c.reportedLatency?.(now) ?? c.latencyEstimate(now);
  return {
    name: "peak-ewma",
    build<C extends PickCandidate>(ready: readonly C[], env: PickerEnv): Picker<C> {
      const list = ready.slice();
      const neutralLatency = (now: number): number => {
        let sum = 0;
        let known = 0;
        for (const c of list) {
          const value = estimate(c, now);
          if (value !== undefined && Number.isFinite(value)) {
            sum += value;
            known++;
          }
        }
        return known === 0 ? defaultLatencyMs : sum / known;
      };
      return {
        pick() {
          if (list.length <= 1) return list[0];
          const [i, j] = sampleTwo(env.random, list.length);
          const a = list[i]!;
          const b = list[j]!;
          const now = env.now();
          let latencyA = estimate(a, now);
          let latencyB = estimate(b, now);
          if (latencyA === undefined || latencyB === undefined) {
            const neutral = neutralLatency(now);
            latencyA ??= neutral;
            latencyB ??= neutral;
          }
          const costA = Math.max(latencyA, MIN_LATENCY_MS) * (a.inFlight + 1) * failureMultiplier(a, now);
          const costB = Math.max(latencyB, MIN_LATENCY_MS) * (b.inFlight + 1) * failureMultiplier(b, now);
          return costB < costA ? b : a;
        },
      };
    },
  };
}

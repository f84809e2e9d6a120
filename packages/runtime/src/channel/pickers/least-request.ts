// The least-request picker: "power of two choices" on calls in flight. It samples two distinct
// candidates and takes the less loaded one, which avoids both herding and O(n) scans.
import type { PickCandidate, Picker, PickerEnv, PickerPolicy } from "../picker.js";
import { failureMultiplier, sampleTwo } from "./two-choices.js";

/**
 * The `"least-request"` policy: per pick, two distinct random candidates; the one with fewer
 * calls in flight wins, the first sampled on a tie. A candidate that has been failing calls counts
 * as `(inFlight + 1) / (1 − failureRate)`, so failing fast does not make it look idle. One candidate is returned as is. Reads
 * `inFlight` live, so the picker need not be rebuilt as load changes.
 *
 * @example
 * createLeastRequestPolicy().build(ready, env).pick({});
 */
export function createLeastRequestPolicy(): PickerPolicy {
  return {
    name: "least-request",
    build<C extends PickCandidate>(ready: readonly C[], env: PickerEnv): Picker<C> {
      const list = ready.slice();
      return {
        pick() {
          if (list.length <= 1) return list[0];
          const [i, j] = sampleTwo(env.random, list.length);
          const a = list[i]!;
          const b = list[j]!;
          if (a.failureRate === undefined && b.failureRate === undefined) return b.inFlight < a.inFlight ? b : a;
          const now = env.now();
          const costA = (a.inFlight + 1) * failureMultiplier(a, now);
          const costB = (b.inFlight + 1) * failureMultiplier(b, now);
          return costB < costA ? b : a;
        },
      };
    },
  };
}

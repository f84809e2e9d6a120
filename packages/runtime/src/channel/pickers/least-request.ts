// The least-request picker: "power of two choices" on calls in flight. It samples two distinct
// candidates and takes the less loaded one, which avoids both herding and O(n) scans.
import type { PickCandidate, Picker, PickerEnv, PickerPolicy } from "../picker.js";
import { sampleTwo } from "./two-choices.js";

/**
 * The `"least-request"` policy: per pick, two distinct random candidates; the one with fewer
 * calls in flight wins, the first sampled on a tie. One candidate is returned as is. Reads
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
          return b.inFlight < a.inFlight ? b : a;
        },
      };
    },
  };
}

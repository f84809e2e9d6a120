// The random picker: every call attempt goes to a candidate chosen uniformly at random.
import type { PickCandidate, Picker, PickerEnv, PickerPolicy } from "../picker.js";

/** A uniform index in [0, n) from `random` (guards against a source that returns 1). @private */
export function randomIndex(random: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/**
 * The `"random"` policy: picks uniformly among the ready candidates, independently per call.
 *
 * @example
 * const picker = createRandomPolicy().build(ready, { now: () => performance.now(), random: Math.random });
 */
export function createRandomPolicy(): PickerPolicy {
  return {
    name: "random",
    build<C extends PickCandidate>(ready: readonly C[], env: PickerEnv): Picker<C> {
      const list = ready.slice();
      return {
        pick() {
          return list.length === 0 ? undefined : list[randomIndex(env.random, list.length)];
        },
      };
    },
  };
}

// The round-robin picker: cycles through the ready candidates, starting at a random offset so that
// many clients rebuilding their pickers at the same moment do not all hit the same endpoint first.
import type { PickCandidate, Picker, PickerEnv, PickerPolicy } from "../picker.js";
import { randomIndex } from "./random.js";

/**
 * The `"round-robin"` policy: candidate `(offset + k) mod n` for the k-th pick, where `offset`
 * is drawn once per build from `env.random`.
 *
 * @example
 * const picker = createRoundRobinPolicy().build([a, b, c], env); // e.g. b, c, a, b, c, a, …
 */
export function createRoundRobinPolicy(): PickerPolicy {
  return {
    name: "round-robin",
    build<C extends PickCandidate>(ready: readonly C[], env: PickerEnv): Picker<C> {
      const list = ready.slice();
      let next = list.length === 0 ? 0 : randomIndex(env.random, list.length);
      return {
        pick() {
          if (list.length === 0) return undefined;
          const chosen = list[next];
          next = (next + 1) % list.length;
          return chosen;
        },
      };
    },
  };
}

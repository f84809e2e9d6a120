// The pick-first picker: every call goes to the first ready candidate in resolver order, so a
// client uses one endpoint and fails over to the next only when it is not ready.
import type { PickCandidate, Picker, PickerPolicy } from "../picker.js";

/**
 * The `"pick-first"` policy: always the first ready candidate (the ready list keeps the resolver's
 * order), or `undefined` when none is ready.
 *
 * @example
 * createPickFirstPolicy().build([a, b], env).pick({}); // a
 */
export function createPickFirstPolicy(): PickerPolicy {
  return {
    name: "pick-first",
    build<C extends PickCandidate>(ready: readonly C[]): Picker<C> {
      const first = ready[0];
      return { pick: () => first };
    },
  };
}

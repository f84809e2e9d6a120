// The weighted round-robin picker: nginx's smooth weighted round robin over candidate weights, which
// interleaves heavy and light endpoints (5,1,1 gives a,a,b,a,c,a,a) instead of sending bursts.
import type { PickCandidate, Picker, PickerEnv, PickerPolicy } from "../picker.js";
import { randomIndex } from "./random.js";

/** Bound on the work spent choosing a random starting phase (steps × candidates). */
const MAX_PHASE_WORK = 65_536;

function validWeight(weight: number): number {
  return Number.isFinite(weight) && weight > 0 ? weight : 1;
}

/**
 * The `"weighted-round-robin"` policy. Each pick adds every candidate's weight to its running
 * score, picks the highest score (the earliest candidate on ties) and subtracts the total weight
 * from it. Over any cycle each candidate gets its share of picks, spread out as evenly as possible.
 *
 * To keep many clients from moving in step, each build starts at a random phase of the cycle (it
 * runs `floor(env.random() × cycle)` picks ahead); with `random() = 0` the sequence starts at the
 * beginning. Weights that are not finite and > 0 count as 1.
 *
 * @example
 * // weights a=5, b=1, c=1 and random() = 0:
 * // a, a, b, a, c, a, a, a, a, b, …
 */
export function createWeightedRoundRobinPolicy(): PickerPolicy {
  return {
    name: "weighted-round-robin",
    build<C extends PickCandidate>(ready: readonly C[], env: PickerEnv): Picker<C> {
      const list = ready.slice();
      const n = list.length;
      const weights = list.map((c) => validWeight(c.weight));
      const total = weights.reduce((sum, w) => sum + w, 0);
      const current = new Array<number>(n).fill(0);
      const step = (): number => {
        let best = 0;
        for (let i = 0; i < n; i++) {
          current[i]! += weights[i]!;
          if (current[i]! > current[best]!) best = i;
        }
        current[best]! -= total;
        return best;
      };
      if (n > 1) {
        const cycle = Math.ceil(total / Math.min(...weights));
        const phases = Math.max(1, Math.min(cycle, Math.floor(MAX_PHASE_WORK / n)));
        for (let skip = randomIndex(env.random, phases); skip > 0; skip--) step();
      }
      return {
        pick() {
          return n === 0 ? undefined : list[step()];
        },
      };
    },
  };
}

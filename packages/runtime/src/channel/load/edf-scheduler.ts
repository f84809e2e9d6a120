// Earliest-deadline-first scheduling over endpoint weights (the scheduler of gRFC A58's weighted
// round robin): each pick takes the entry with the earliest deadline and moves it 1/weight later.

/** Picks indexes in proportion to their weights. */
export interface EdfScheduler {
  /** The next index (0 … weights.length − 1), or undefined when there are none. */
  next(): number | undefined;
}

/**
 * The weights A58 schedules with: endpoints without a usable weight (0, not finite) get the mean
 * of the usable ones; when fewer than two are usable, every endpoint gets 1 (plain round robin).
 * @example
 * schedulingWeights([0, 10, 30]); // [20, 10, 30]
 */
export function schedulingWeights(weights: readonly number[]): number[] {
  const usable = weights.filter((w) => Number.isFinite(w) && w > 0);
  if (usable.length < 2) return weights.map(() => 1);
  const mean = usable.reduce((a, b) => a + b, 0) / usable.length;
  return weights.map((w) => (Number.isFinite(w) && w > 0 ? w : mean));
}

/**
 * Creates an EDF scheduler over `weights` (use {@link schedulingWeights} first). Entry `i` starts
 * at deadline `random() / weight_i` (so many clients do not move in step; `random = () => 0`
 * starts all at 0) and ties go to the lower index. Over any long run entry `i` gets a share
 * `weight_i / Σ weights` of the picks, spread out evenly.
 * @throws Error naming `weights` when one is not a finite number > 0.
 * @example
 * const edf = createEdfScheduler([1, 2], () => 0);
 * [edf.next(), edf.next(), edf.next()]; // [0, 1, 1]
 */
export function createEdfScheduler(weights: readonly number[], random: () => number = Math.random): EdfScheduler {
  for (const w of weights) {
    if (!(Number.isFinite(w) && w > 0)) throw new Error(`weights: each must be a finite number > 0, got ${String(w)}`);
  }
  const n = weights.length;
  const deadlines = weights.map((w) => random() / w);
  return {
    next() {
      if (n === 0) return undefined;
      let best = 0;
      for (let i = 1; i < n; i++) if ((deadlines[i] as number) < (deadlines[best] as number)) best = i;
      deadlines[best]! += 1 / (weights[best] as number);
      return best;
    },
  };
}

// Sampling for "power of two choices" pickers: two distinct uniformly random candidate indexes.

/**
 * Two distinct indexes in [0, n), uniform over ordered pairs; needs n >= 2.
 * Draws `random` exactly twice.
 * @private
 */
export function sampleTwo(random: () => number, n: number): [number, number] {
  const first = Math.min(n - 1, Math.floor(random() * n));
  let second = Math.min(n - 2, Math.floor(random() * (n - 1)));
  if (second >= first) second++;
  return [first, second];
}

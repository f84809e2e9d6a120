// Deterministic randomness (a seeded mulberry32), a fake picker environment and fake candidates, so
// tests and benchmarks of randomised pickers are reproducible.
import { PickDecision, type PickCandidate, type PickerEnv, type PickResult } from "../picker.js";

/**
 * A deterministic generator of numbers uniform in [0, 1) from a 32-bit seed (mulberry32).
 * Not for cryptography.
 *
 * @example
 * const random = createSeededRandom(42);
 * random(); // same value on every run
 */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A {@link PickerEnv} with a settable clock and a seeded or scripted random source. @private */
export interface FakePickerEnv extends PickerEnv {
  /** Current time of the fake clock in milliseconds. */
  time: number;
}

/**
 * Builds a fake environment: `random` is a seed for {@link createSeededRandom} or a function.
 * @private
 */
export function createFakePickerEnv(random: number | (() => number) = 1, time = 0): FakePickerEnv {
  const rng = typeof random === "number" ? createSeededRandom(random) : random;
  const env: FakePickerEnv = {
    time,
    now: () => env.time,
    random: rng,
  };
  return env;
}

/** A random source that replays `values` in order, then repeats the last one. @private */
export function scriptedRandom(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] ?? 0;
}

/** A candidate whose load and latency a test sets directly. @private */
export interface FakeCandidate extends PickCandidate {
  weight: number;
  inFlight: number;
  /** Returned by `latencyEstimate` whatever the time. */
  latency: number | undefined;
  /** Returned by `failureRate` whatever the time. */
  failure: number;
}

/** A {@link FakeCandidate} with weight 1, nothing in flight and no latency estimate by default. @private */
export function fakeCandidate(
  address: string,
  init: { weight?: number; inFlight?: number; latency?: number; failure?: number } = {},
): FakeCandidate {
  const candidate: FakeCandidate = {
    address,
    weight: init.weight ?? 1,
    inFlight: init.inFlight ?? 0,
    latency: init.latency,
    failure: init.failure ?? 0,
    latencyEstimate: () => candidate.latency,
    failureRate: () => candidate.failure,
  };
  return candidate;
}

/** The candidate a pick answered; throws when it answered queue or fail instead. @private */
export function candidate<C extends PickCandidate>(result: PickResult<C>): C {
  if (result === undefined || result instanceof PickDecision) {
    throw new Error(`expected a candidate, got ${result === undefined ? "undefined" : result.type}`);
  }
  return result;
}

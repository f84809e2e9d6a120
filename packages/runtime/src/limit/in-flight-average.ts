// The calls in flight averaged over time between two marks: the exact time integral of the count,
// kept up to date at each change (no timers, injected clock), so a reader sees queued calls at once.

/** A point on the in-flight integral: the time and the calls × ms accumulated until then. */
export interface InFlightMark {
  readonly atMs: number;
  readonly area: number;
}

/** The time integral of a server's calls in flight. @private */
export interface InFlightAverage {
  /** Calls in flight now. */
  readonly inFlight: number;
  /** Adds `delta` (+1 admitted, −1 finished) to the count at `atMs` (default: the clock now; a caller that has just read the clock passes it). */
  change(delta: number, atMs?: number): void;
  /** The integral up to now. */
  mark(): InFlightMark;
  /**
   * The average calls in flight from `since` to now (the count now when no time has passed, or
   * when `since` is undefined).
   */
  averageSince(since: InFlightMark | undefined): { readonly average: number; readonly mark: InFlightMark };
}

/**
 * Creates the integral at 0 calls in flight.
 * @example
 * const calls = createInFlightAverage(() => performance.now());
 * const start = calls.mark();
 * calls.change(+1);
 * // 10 ms later: calls.averageSince(start).average === 1
 * @private
 */
export function createInFlightAverage(now: () => number): InFlightAverage {
  let inFlight = 0;
  let area = 0;
  let lastMs = now();
  const advance = (t: number): void => {
    if (t > lastMs) {
      area += inFlight * (t - lastMs);
      lastMs = t;
    }
  };
  const mark = (): InFlightMark => {
    advance(now());
    return { atMs: lastMs, area };
  };
  return {
    get inFlight() {
      return inFlight;
    },
    change(delta, atMs = now()) {
      advance(atMs);
      inFlight += delta;
    },
    mark,
    averageSince(since) {
      const m = mark();
      const span = since === undefined ? 0 : m.atMs - since.atMs;
      return { average: span > 0 ? (m.area - since!.area) / span : inFlight, mark: m };
    },
  };
}

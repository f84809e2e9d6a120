// A service of fixed capacity, for overload tests and benchmarks: at most `capacity` calls are
// worked on at once, each for `serviceMs`; the rest wait in FIFO order (as work queued behind a
// busy CPU does) until served or cancelled.
import { Code, ConnectError } from "@connectrpc/connect";

/** A service of fixed capacity. */
export interface CapacityGate {
  /**
   * Resolves once the call has had its `serviceMs` (or its own `costMs`) of capacity; rejects with
   * CANCELED if `signal` aborts while it waits. `signal` may be a function returning it, called
   * only when the call has to wait (a server context's signal costs an AbortController when first read).
   */
  work(signal: AbortSignal | (() => AbortSignal), costMs?: number): Promise<void>;
  /** How many calls so far found the capacity taken and had to wait. */
  waited(): number;
}

/**
 * Creates a gate of `capacity` calls at once, `serviceMs` each. Each slot keeps its own schedule:
 * a call that waited starts at the instant the call before it in that slot was due to end (or at
 * its own arrival, if later), not when the late timer of that call fired, so the lateness of
 * Node's timers (≥ 1 ms on a busy event loop) delays answers but does not eat capacity: while
 * calls wait, the gate serves exactly `capacity × 1000 / serviceMs` calls per second. `now` is
 * the clock in ms (default `performance.now`); `onTimer`, if given, gets how late (ms) each call's
 * end-of-work timer fired after the instant it was due.
 */
export function createCapacityGate(
  capacity: number,
  serviceMs: number,
  now: () => number = () => performance.now(),
  onTimer?: (lateMs: number) => void,
): CapacityGate {
  let busy = 0;
  let waited = 0;
  /** Waiters, each resumed with the instant its slot became free. */
  const waiting: Array<(freedAt: number) => void> = [];
  const work = async (signalOrGetter: AbortSignal | (() => AbortSignal), costMs = serviceMs): Promise<void> => {
    const arrivedAt = now();
    let startAt = arrivedAt;
    if (busy >= capacity) {
      waited++;
      const signal = typeof signalOrGetter === "function" ? signalOrGetter() : signalOrGetter;
      startAt = await new Promise<number>((resolve, reject) => {
        const go = (freedAt: number): void => {
          signal.removeEventListener("abort", quit);
          resolve(Math.max(freedAt, arrivedAt));
        };
        const quit = (): void => {
          waiting.splice(waiting.indexOf(go), 1);
          reject(new ConnectError("cancelled while waiting for capacity", Code.Canceled));
        };
        waiting.push(go);
        signal.addEventListener("abort", quit, { once: true });
      });
    }
    busy++;
    const endAt = startAt + costMs;
    try {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, endAt - now())));
      onTimer?.(Math.max(0, now() - endAt));
    } finally {
      busy--;
      waiting.shift()?.(endAt);
    }
  };
  return { work, waited: () => waited };
}

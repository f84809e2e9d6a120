// A service of fixed capacity, for overload tests and benchmarks: at most `capacity` calls are
// worked on at once, each for `serviceMs`; the rest wait in FIFO order (as work queued behind a
// busy CPU does) until served or cancelled.
import { Code, ConnectError } from "@connectrpc/connect";

/** A service of fixed capacity. */
export interface CapacityGate {
  /** Resolves once the call has had its `serviceMs` of capacity; rejects with CANCELED if `signal` aborts while it waits. */
  work(signal: AbortSignal): Promise<void>;
  /** How many calls so far found the capacity taken and had to wait. */
  waited(): number;
}

/** Creates a gate of `capacity` calls at once, `serviceMs` each. */
export function createCapacityGate(capacity: number, serviceMs: number): CapacityGate {
  let busy = 0;
  let waited = 0;
  const waiting: Array<() => void> = [];
  const work = async (signal: AbortSignal): Promise<void> => {
    if (busy >= capacity) {
      waited++;
      await new Promise<void>((resolve, reject) => {
        const go = (): void => {
          signal.removeEventListener("abort", quit);
          resolve();
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
    try {
      await new Promise((resolve) => setTimeout(resolve, serviceMs));
    } finally {
      busy--;
      waiting.shift()?.();
    }
  };
  return { work, waited: () => waited };
}

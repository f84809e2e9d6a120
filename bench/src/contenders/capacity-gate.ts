// A service of fixed capacity, for overload tests and benchmarks: at most `capacity` calls are
// worked on at once, each for `serviceMs`; the rest wait in FIFO order (as work queued behind a
// busy CPU does) until served or cancelled.
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Creates the gate: `work(signal)` resolves once the call has had its `serviceMs` of capacity, or
 * rejects with CANCELED if `signal` aborts while it waits.
 */
export function createCapacityGate(capacity: number, serviceMs: number): (signal: AbortSignal) => Promise<void> {
  let busy = 0;
  const waiting: Array<() => void> = [];
  return async (signal) => {
    if (busy >= capacity) {
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
}

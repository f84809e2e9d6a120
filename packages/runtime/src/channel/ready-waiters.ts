// Calls that wait for the channel's ready set to change: each waits until woken, its time is up,
// or its signal aborts.
import { Code, ConnectError } from "@connectrpc/connect";
import { maxTimerDelayMs } from "../transport/deadline-timer.js";

/** @private */
export interface ReadyWaiters {
  /** Resolves on the next `wake()` or after `timeoutMs`; rejects with CANCELED if `signal` aborts. */
  wait(timeoutMs: number, signal: AbortSignal | undefined): Promise<void>;
  /** Wakes every waiter so it looks at the ready set again. */
  wake(): void;
}

/** @private */
export function createReadyWaiters(): ReadyWaiters {
  let wakers = new Set<() => void>();
  return {
    wait(timeoutMs, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted === true) {
          reject(ConnectError.from(signal.reason, Code.Canceled));
          return;
        }
        const cleanup = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          wakers.delete(done);
        };
        const done = (): void => {
          cleanup();
          resolve();
        };
        const onAbort = (): void => {
          cleanup();
          reject(ConnectError.from(signal?.reason, Code.Canceled));
        };
        // setTimeout takes at most 2^31 - 1 ms; a longer wait would fire at once.
        const timer = setTimeout(done, Math.min(timeoutMs, maxTimerDelayMs));
        signal?.addEventListener("abort", onAbort, { once: true });
        wakers.add(done);
      });
    },
    wake() {
      const current = wakers;
      wakers = new Set();
      for (const wake of current) wake();
    },
  };
}

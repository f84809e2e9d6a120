// The bounded wait queue of a limiter (a bulkhead): callers wait for a slot up to a timeout, at
// most `maxQueued` of them; newest first by default (LIFO, as Netflix's limiter does under
// overload: the caller most likely still to be waiting gets served, not the one about to give up).
import { numberOption } from "./validate.js";

/** Options of a limiter's wait queue. */
export interface WaitQueueOptions {
  /** Most callers waiting at once (an integer >= 0; 0 means no queue). */
  readonly maxQueued: number;
  /** Longest wait before a caller is refused, ms (> 0). */
  readonly timeoutMs: number;
  /** Which waiter gets a freed slot: `"lifo"` (default) or `"fifo"`. */
  readonly order?: "lifo" | "fifo";
}

/** Starts a timer and returns a function that cancels it. */
export type Schedule = (callback: () => void, delayMs: number) => () => void;

/** One waiting caller. @private */
interface Waiter<C, T> {
  readonly context: C;
  /** Settles the wait with what admitted it, or undefined when refused. */
  settle(admitted: T | undefined): void;
}

/** The default {@link Schedule}: an unref'd setTimeout. @private */
export const realSchedule: Schedule = (callback, delayMs) => {
  const timer = setTimeout(callback, delayMs);
  timer.unref?.();
  return () => clearTimeout(timer);
};

/** A bounded wait queue of callers with context `C`, admitted with a `T`. @private */
export interface WaitQueue<C, T> {
  readonly length: number;
  /**
   * Queues a caller; resolves with what `offer` admitted it with, or undefined on timeout, abort
   * or a full queue.
   */
  wait(context: C, signal?: AbortSignal): Promise<T | undefined>;
  /**
   * Hands freed capacity to waiters in queue order: each waiter for which `admit(context)` returns
   * a value (taking the capacity synchronously, so no newcomer can take it first) is settled with it.
   */
  offer(admit: (context: C) => T | undefined): void;
}

/**
 * Creates a wait queue.
 * @throws Error naming `queue.maxQueued`, `queue.timeoutMs` or `queue.order` when out of range.
 */
export function createWaitQueue<C, T>(options: WaitQueueOptions, schedule: Schedule = realSchedule): WaitQueue<C, T> {
  const maxQueued = numberOption("queue.maxQueued", options.maxQueued, Number.NaN, { min: 0, integer: true });
  const timeoutMs = numberOption("queue.timeoutMs", options.timeoutMs, Number.NaN, { min: 0, minExclusive: true });
  const order = options.order ?? "lifo";
  if (order !== "lifo" && order !== "fifo") throw new Error(`queue.order: must be "lifo" or "fifo", got ${String(order)}`);
  const waiters: Waiter<C, T>[] = [];
  const remove = (waiter: Waiter<C, T>): void => {
    const i = waiters.indexOf(waiter);
    if (i >= 0) waiters.splice(i, 1);
  };
  return {
    get length() {
      return waiters.length;
    },
    wait(context, signal) {
      if (waiters.length >= maxQueued || signal?.aborted === true) return Promise.resolve(undefined);
      return new Promise<T | undefined>((resolve) => {
        let cancelTimer = (): void => {};
        const onAbort = (): void => waiter.settle(undefined);
        const waiter: Waiter<C, T> = {
          context,
          settle(admitted) {
            remove(waiter);
            cancelTimer();
            signal?.removeEventListener("abort", onAbort);
            resolve(admitted);
          },
        };
        waiters.push(waiter);
        cancelTimer = schedule(() => waiter.settle(undefined), timeoutMs);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    offer(admit) {
      const lifo = order === "lifo";
      for (let k = 0; k < waiters.length; ) {
        const waiter = waiters[lifo ? waiters.length - 1 - k : k] as Waiter<C, T>;
        const admitted = admit(waiter.context);
        if (admitted !== undefined) waiter.settle(admitted); // removes it: the same k is the next one
        else k++;
      }
    },
  };
}

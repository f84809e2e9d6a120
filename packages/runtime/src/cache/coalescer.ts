// Coalescing of identical calls: one upstream call per key, shared by every waiter; a waiter that
// gives up leaves alone, and the upstream call is aborted only when the last waiter has left.
import { callerAbortError as abortError } from "../call/caller-wait.js";

/** One shared upstream call. */
interface Flight<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  /** Waiters still interested; the flight is aborted when this drops to 0 (unless detached). */
  waiters: number;
  /** A background refresh runs on even with no waiter. */
  readonly detached: boolean;
}

/**
 * Shares one upstream call among identical concurrent calls.
 *
 * @private
 */
export class Coalescer<T> {
  private readonly flights = new Map<string, Flight<T>>();

  /** True when a call for `key` is in flight. */
  has(key: string): boolean {
    return this.flights.has(key);
  }

  /**
   * Starts `run` for `key` unless one is in flight, and waits for it; `joined` tells whether this
   * caller joined an existing call.
   */
  wait(key: string, run: (signal: AbortSignal) => Promise<T>, signal: AbortSignal | undefined): { joined: boolean; result: Promise<T> } {
    let flight = this.flights.get(key);
    const joined = flight !== undefined;
    if (flight === undefined) flight = this.start(key, run, false);
    return { joined, result: this.follow(flight, signal) };
  }

  /**
   * Starts a detached call for `key` (a background refresh, never aborted by waiters leaving)
   * unless one is in flight; its promise, or undefined when one was already in flight.
   */
  startDetached(key: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> | undefined {
    if (this.flights.has(key)) return undefined;
    return this.start(key, run, true).promise;
  }

  private start(key: string, run: (signal: AbortSignal) => Promise<T>, detached: boolean): Flight<T> {
    const controller = new AbortController();
    const promise = Promise.resolve()
      .then(() => run(controller.signal))
      .finally(() => {
        if (this.flights.get(key) === flight) this.flights.delete(key);
      });
    const flight: Flight<T> = { promise, controller, waiters: 0, detached };
    this.flights.set(key, flight);
    promise.catch(() => {}); // waiters see the error; a flight nobody waits for must not be "unhandled"
    return flight;
  }

  /** The flight's outcome for one waiter, ending early (and leaving) when `signal` aborts. */
  private follow(flight: Flight<T>, signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted) {
      if (flight.waiters === 0 && !flight.detached) flight.controller.abort(abortError(signal));
      return Promise.reject(abortError(signal));
    }
    flight.waiters++;
    if (signal === undefined) {
      return flight.promise.finally(() => flight.waiters--);
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        flight.waiters--;
        if (flight.waiters === 0 && !flight.detached) flight.controller.abort(abortError(signal));
        reject(abortError(signal));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      flight.promise.then(
        (value) => {
          if (signal.aborted) return;
          signal.removeEventListener("abort", onAbort);
          flight.waiters--;
          resolve(value);
        },
        (error: unknown) => {
          if (signal.aborted) return;
          signal.removeEventListener("abort", onAbort);
          flight.waiters--;
          reject(error);
        },
      );
    });
  }
}

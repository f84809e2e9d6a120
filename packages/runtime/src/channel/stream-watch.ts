// A server stream kept open for one subchannel (health watch, out-of-band load reports): re-opened
// with backoff when it fails or ends, reset by each message, stopped for good when told to.
import { ConnectError } from "@connectrpc/connect";
import { createBackoff, type BackoffOptions } from "./backoff.js";
import { unrefTimers, type Timers } from "./timers.js";

/** How a kept-open stream is opened and what its messages and failures do. @private */
export interface StreamWatchHooks<T> {
  /** Opens the stream; aborting `signal` cancels it. */
  open(signal: AbortSignal): AsyncIterable<T>;
  /** Called with each message received. */
  onMessage(message: T): void;
  /** The error a stream the server ended cleanly counts as. */
  endedError(): ConnectError;
  /** Called for each failure (or clean end); return false to stop watching, true to re-open after the backoff. */
  onBroken(error: ConnectError): boolean;
  readonly backoff?: BackoffOptions;
  /** Uniform in [0, 1), for jitter (default `Math.random`). */
  readonly random?: () => number;
  /** Timer functions (default: global timers, unref'd). */
  readonly timers?: Timers;
}

/** A running stream watch. @private */
export interface StreamWatch {
  /** Cancels the stream and any pending re-open; no more hook calls after it. */
  close(): void;
  /** Re-opens the stream now if it is waiting out a backoff; no-op while the stream is open. */
  restart(): void;
}

/**
 * Opens the stream and keeps it open until `close()` or until `onBroken` returns false.
 * @private
 */
export function keepStreamOpen<T>(hooks: StreamWatchHooks<T>): StreamWatch {
  const backoff = createBackoff(hooks.backoff ?? {}, hooks.random ?? Math.random);
  const timers = hooks.timers ?? unrefTimers;
  let closed = false;
  let abort: AbortController | undefined;
  let wakeSleep: (() => void) | undefined;
  let sleepTimer: unknown;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      wakeSleep = resolve;
      sleepTimer = timers.setTimeout(() => {
        sleepTimer = undefined;
        resolve();
      }, ms);
    });

  async function run(): Promise<void> {
    while (!closed) {
      abort = new AbortController();
      let error: ConnectError;
      try {
        for await (const message of hooks.open(abort.signal)) {
          if (closed) return;
          backoff.reset();
          hooks.onMessage(message);
        }
        error = hooks.endedError();
      } catch (e) {
        error = ConnectError.from(e);
      }
      if (closed || !hooks.onBroken(error)) return;
      await sleep(backoff.next());
    }
  }

  void run();

  return {
    restart() {
      if (closed || sleepTimer === undefined) return;
      backoff.reset();
      timers.clearTimeout(sleepTimer);
      sleepTimer = undefined;
      wakeSleep?.();
    },
    close() {
      if (closed) return;
      closed = true;
      abort?.abort();
      if (sleepTimer !== undefined) {
        timers.clearTimeout(sleepTimer);
        sleepTimer = undefined;
      }
      wakeSleep?.();
    },
  };
}

// The client side of grpc.health.v1 for one subchannel: keeps a Watch stream open over the
// subchannel's transport, reports serving / not serving, and reconnects with backoff.

import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "../gen/grpc/health/v1/health_pb.js";
import { unrefTimers, type Timers } from "./timers.js";
import { createBackoff, type BackoffOptions } from "./backoff.js";

/** Reconnect backoff of a health watch (gRPC connection-backoff defaults). */
export type HealthWatchBackoff = BackoffOptions;

/** Options of {@link watchHealth}. */
export interface HealthWatchOptions {
  readonly backoff?: HealthWatchBackoff;
  /**
   * Called for each stream failure, for a stream the server ended, and once with `Unimplemented`
   * when the server has no health service (the endpoint is then taken as serving, and the watch stops).
   */
  readonly onError?: (error: ConnectError) => void;
  /** Uniform in [0, 1), for jitter (default `Math.random`). */
  readonly random?: () => number;
  /** Timer functions (default: global timers, unref'd). */
  readonly timers?: Timers;
}

/** A running health watch. */
export interface HealthWatch {
  /** Cancels the stream and any pending reconnect; no more calls to `onStatus` after it. */
  close(): void;
  /**
   * Re-opens the watch now if it is waiting out a backoff (call it when the endpoint's connection
   * becomes ready again, as gRPC restarts the health stream then); no-op while the stream is open.
   */
  restart(): void;
}

/**
 * Watches `service` ("" for the whole server) on the server behind `transport`. `onStatus` is
 * called when the serving state changes: true for SERVING, false for anything else and while the
 * stream is broken. A failed or ended stream is re-opened after a backoff delay, reset by each
 * message received.
 *
 * @example
 * const watch = watchHealth(subchannelTransport, "", (serving) => subchannel.setHealthy(serving));
 * // later
 * watch.close();
 */
export function watchHealth(
  transport: Transport,
  service: string,
  onStatus: (serving: boolean) => void,
  options: HealthWatchOptions = {},
): HealthWatch {
  const backoff = createBackoff(options.backoff ?? {}, options.random ?? Math.random);
  const timers = options.timers ?? unrefTimers;
  const client = createClient(Health, transport);

  let closed = false;
  let abort: AbortController | undefined;
  let wakeSleep: (() => void) | undefined;
  let sleepTimer: unknown;
  let last: boolean | undefined;

  function report(serving: boolean): void {
    if (!closed && serving !== last) {
      last = serving;
      onStatus(serving);
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      wakeSleep = resolve;
      sleepTimer = timers.setTimeout(() => {
        sleepTimer = undefined;
        resolve();
      }, ms);
    });
  }

  async function run(): Promise<void> {
    while (!closed) {
      abort = new AbortController();
      let error: ConnectError;
      try {
        for await (const res of client.watch({ service }, { signal: abort.signal })) {
          backoff.reset();
          report(res.status === ServingStatus.SERVING);
        }
        error = new ConnectError(`health watch of "${service}" ended by the server`, Code.Unavailable);
      } catch (e) {
        error = ConnectError.from(e);
      }
      if (closed) {
        return;
      }
      if (error.code === Code.Unimplemented) {
        report(true);
        options.onError?.(error);
        return;
      }
      report(false);
      options.onError?.(error);
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
      if (closed) {
        return;
      }
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

// The client side of grpc.health.v1 for one subchannel: keeps a Watch stream open over the
// subchannel's transport, reports serving / not serving, and reconnects with backoff.

import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "../gen/grpc/health/v1/health_pb.js";
import type { Timers } from "./timers.js";
import type { BackoffOptions } from "./backoff.js";
import { keepStreamOpen } from "./stream-watch.js";

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
  const client = createClient(Health, transport);
  let closed = false;
  let last: boolean | undefined;

  function report(serving: boolean): void {
    if (!closed && serving !== last) {
      last = serving;
      onStatus(serving);
    }
  }

  const watch = keepStreamOpen({
    open: (signal) => client.watch({ service }, { signal }),
    onMessage: (res) => report(res.status === ServingStatus.SERVING),
    endedError: () => new ConnectError(`health watch of "${service}" ended by the server`, Code.Unavailable),
    onBroken(error) {
      // No health service: the endpoint is taken as serving, and the watch stops.
      const unimplemented = error.code === Code.Unimplemented;
      report(unimplemented);
      options.onError?.(error);
      return !unimplemented;
    },
    backoff: options.backoff,
    random: options.random,
    timers: options.timers,
  });

  return {
    restart: () => watch.restart(),
    close() {
      closed = true;
      watch.close();
    },
  };
}

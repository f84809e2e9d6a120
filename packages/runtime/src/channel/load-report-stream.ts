// The client side of out-of-band load reports for one subchannel: keeps a
// sluice.v1.LoadReportService stream open over the subchannel's transport, hands each report on,
// re-opens it with backoff, and stops for good when the server does not offer it (UNIMPLEMENTED).
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { LoadReportService } from "../gen/sluice/v1/load_report_pb.js";
import type { LoadReport } from "../limit/load-report.js";
import { fromLoadReportMessage } from "../limit/load-report-message.js";
import type { BackoffOptions } from "./backoff.js";
import { keepStreamOpen, type StreamWatch } from "./stream-watch.js";
import type { Timers } from "./timers.js";

/**
 * Where a subchannel's out-of-band reports stand: `"streaming"` (reports arrive), `"reconnecting"`
 * (the stream failed or ended, or has not delivered yet: waiting out a backoff or opening again),
 * `"unimplemented"` (the server has no such service: per-call reports only, the stream stays shut).
 */
export type OutOfBandState = "streaming" | "reconnecting" | "unimplemented";

/** Options of {@link watchLoadReports}. */
export interface LoadReportStreamOptions {
  /** Interval asked of the server, ms (the server may raise it to its minimum). */
  readonly intervalMs: number;
  /** Called with each report received. */
  readonly onReport: (report: LoadReport) => void;
  /** Called when the state changes. */
  readonly onState?: (state: OutOfBandState, error?: ConnectError) => void;
  /** Re-open backoff (gRPC connection-backoff defaults). */
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  readonly timers?: Timers;
}

/**
 * Streams the load reports of the server behind `transport` until `close()`; the watch is
 * `restart()`ed when the subchannel's connection becomes ready again.
 * @example
 * const watch = watchLoadReports(sub.transport, { intervalMs: 50, onReport: (r) => sub.recordLoadReport(r, "out-of-band") });
 */
export function watchLoadReports(transport: Transport, options: LoadReportStreamOptions): StreamWatch {
  const client = createClient(LoadReportService, transport);
  const reportInterval = durationFromMs(options.intervalMs);
  let state: OutOfBandState = "reconnecting";
  const setState = (next: OutOfBandState, error?: ConnectError): void => {
    if (next === state) return;
    state = next;
    options.onState?.(next, error);
  };
  return keepStreamOpen({
    open: (signal) => client.streamLoadReports({ reportInterval }, { signal }),
    onMessage(message) {
      const report = fromLoadReportMessage(message);
      if (report === undefined) return;
      setState("streaming");
      options.onReport(report);
    },
    endedError: () => new ConnectError("load-report stream ended by the server", Code.Unavailable),
    onBroken(error) {
      const unimplemented = error.code === Code.Unimplemented;
      setState(unimplemented ? "unimplemented" : "reconnecting", error);
      return !unimplemented;
    },
    backoff: options.backoff,
    random: options.random,
    timers: options.timers,
  });
}

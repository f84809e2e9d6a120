// The server side of out-of-band load reports (sluice.v1.LoadReportService): each stream gets the
// server's report at once, then every interval it asks for (raised to the server's minimum) and,
// optionally, early when utilization moves by a threshold; shutdown ends every stream.
import { durationMs } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { LoadReportService, type StreamLoadReportsRequest, type StreamLoadReportsResponse } from "../gen/sluice/v1/load_report_pb.js";
import type { InFlightMark } from "../limit/in-flight-average.js";
import type { LoadReport } from "../limit/load-report.js";
import { toLoadReportMessage } from "../limit/load-report-message.js";
import { numberOption } from "../limit/validate.js";
import { maxTimerDelayMs } from "../transport/deadline-timer.js";

/** Options of the out-of-band load-report service (`limits.loadReport.outOfBand`). */
export interface OutOfBandServiceOptions {
  /** Shortest interval the server sends reports at, ms (default 10): a client asking for less gets this. */
  readonly minIntervalMs?: number;
  /**
   * Also send a report at once (at most one per `minIntervalMs`) when the utilization now (calls in
   * flight ÷ the concurrency limit) is this much above or below the last report's, e.g. 0.2
   * (default: off, reports only at the interval). A number > 0.
   */
  readonly changeThreshold?: number;
}

/** The out-of-band load-report service of one server. @private */
export interface LoadReportStreams {
  /** Registers sluice.v1.LoadReportService on a Connect router. */
  register(router: ConnectRouter): void;
  /** Ends every open stream (after its current report); a stream opened later ends at once, without a report. */
  shutdown(): void;
}

/** Where the service gets its reports: the admission controller's out-of-band report and its utilization now. @private */
export interface OutOfBandReportSource {
  report(since: InFlightMark | undefined): { readonly report: LoadReport; readonly mark: InFlightMark };
  watchUtilization(listener: (utilization: number) => void): () => void;
}

/**
 * Creates the service over `source`.
 * @throws Error naming `limits.loadReport.outOfBand.minIntervalMs` when it is not an integer >= 1,
 * or `…changeThreshold` when it is not a number > 0.
 * @private
 */
export function createLoadReportStreams(source: OutOfBandReportSource, options: OutOfBandServiceOptions = {}): LoadReportStreams {
  const minIntervalMs = numberOption("limits.loadReport.outOfBand.minIntervalMs", options.minIntervalMs, 10, { min: 1, integer: true });
  const threshold =
    options.changeThreshold === undefined
      ? undefined
      : numberOption("limits.loadReport.outOfBand.changeThreshold", options.changeThreshold, 0, { min: 0, minExclusive: true });
  const wakers = new Set<() => void>();
  let shutDown = false;

  async function* stream(request: StreamLoadReportsRequest, context: HandlerContext): AsyncGenerator<StreamLoadReportsResponse> {
    const askedMs = request.reportInterval === undefined ? 0 : durationMs(request.reportInterval);
    // Node's timers take at most 2^31 − 1 ms: a longer interval would fire at once.
    const intervalMs = Math.min(maxTimerDelayMs, Math.max(minIntervalMs, Number.isFinite(askedMs) ? askedMs : 0));
    let wake: (() => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waker = (): void => wake?.();
    wakers.add(waker);
    context.signal.addEventListener("abort", waker);
    let mark: InFlightMark | undefined;
    // Reports keep a fixed cadence: a late timer delays one report, not every later one (after a
    // stall longer than an interval the cadence starts over rather than sending a burst).
    let dueAt = performance.now();
    let sentAt = 0;
    let sentUtilization = 0;
    let early: ReturnType<typeof setTimeout> | undefined;
    // A utilization that moved by the threshold wakes the stream, no sooner than minIntervalMs after the last report.
    const unwatch =
      threshold === undefined
        ? undefined
        : source.watchUtilization((utilization) => {
            if (wake === undefined || early !== undefined || Math.abs(utilization - sentUtilization) < threshold) return;
            early = setTimeout(waker, Math.max(0, sentAt + minIntervalMs - performance.now()));
          });
    try {
      while (!context.signal.aborted && !shutDown) {
        const next = source.report(mark);
        mark = next.mark;
        sentAt = performance.now();
        sentUtilization = next.report.util ?? 0;
        yield toLoadReportMessage(next.report);
        if (shutDown || context.signal.aborted) return;
        const now = performance.now();
        // A report sent early (the utilization moved) leaves the cadence as it was.
        if (now >= dueAt - 1) dueAt = now - dueAt > intervalMs ? now + intervalMs : dueAt + intervalMs;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, Math.max(0, dueAt - now));
        });
        clearTimeout(timer);
        clearTimeout(early);
        early = undefined;
        wake = undefined;
      }
    } finally {
      unwatch?.();
      clearTimeout(early);
      clearTimeout(timer);
      context.signal.removeEventListener("abort", waker);
      wakers.delete(waker);
    }
  }

  return {
    register(router) {
      router.service(LoadReportService, { streamLoadReports: stream });
    },
    shutdown() {
      shutDown = true;
      for (const wake of wakers) wake();
    },
  };
}

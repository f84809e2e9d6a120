// The server side of out-of-band load reports (sluice.v1.LoadReportService): each stream gets the
// server's report at once and then every interval it asks for (raised to the server's minimum),
// with utilization averaged over the time since its previous report; shutdown ends every stream.
import { durationMs } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { LoadReportService, type StreamLoadReportsRequest, type StreamLoadReportsResponse } from "../gen/sluice/v1/load_report_pb.js";
import type { InFlightMark } from "../limit/in-flight-average.js";
import type { LoadReport } from "../limit/load-report.js";
import { toLoadReportMessage } from "../limit/load-report-message.js";
import { numberOption } from "../limit/validate.js";

/** Options of the out-of-band load-report service (`limits.loadReport.outOfBand`). */
export interface OutOfBandServiceOptions {
  /** Shortest interval the server sends reports at, ms (default 10): a client asking for less gets this. */
  readonly minIntervalMs?: number;
}

/** The out-of-band load-report service of one server. @private */
export interface LoadReportStreams {
  /** Registers sluice.v1.LoadReportService on a Connect router. */
  register(router: ConnectRouter): void;
  /** Ends every open stream (after its current report) and refuses nothing new: new streams end at once. */
  shutdown(): void;
  /** Streams open now. */
  streamCount(): number;
}

/** Where the service gets its reports: the admission controller's out-of-band report. @private */
export type OutOfBandReportSource = (since: InFlightMark | undefined) => { readonly report: LoadReport; readonly mark: InFlightMark };

/**
 * Creates the service over `source`.
 * @throws Error naming `limits.loadReport.outOfBand.minIntervalMs` when it is not an integer >= 1.
 * @private
 */
export function createLoadReportStreams(source: OutOfBandReportSource, options: OutOfBandServiceOptions = {}): LoadReportStreams {
  const minIntervalMs = numberOption("limits.loadReport.outOfBand.minIntervalMs", options.minIntervalMs, 10, { min: 1, integer: true });
  const wakers = new Set<() => void>();
  let shutDown = false;

  async function* stream(request: StreamLoadReportsRequest, context: HandlerContext): AsyncGenerator<StreamLoadReportsResponse> {
    const askedMs = request.reportInterval === undefined ? 0 : durationMs(request.reportInterval);
    const intervalMs = Math.max(minIntervalMs, Number.isFinite(askedMs) ? askedMs : 0);
    let wake: (() => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waker = (): void => wake?.();
    wakers.add(waker);
    context.signal.addEventListener("abort", waker);
    let mark: InFlightMark | undefined;
    // Reports keep a fixed cadence: a late timer delays one report, not every later one (after a
    // stall longer than an interval the cadence starts over rather than sending a burst).
    let dueAt = performance.now();
    try {
      while (!context.signal.aborted && !shutDown) {
        const next = source(mark);
        mark = next.mark;
        yield toLoadReportMessage(next.report);
        if (shutDown || context.signal.aborted) return;
        const now = performance.now();
        dueAt = now - dueAt > intervalMs ? now + intervalMs : dueAt + intervalMs;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, Math.max(0, dueAt - now));
        });
        clearTimeout(timer);
        wake = undefined;
      }
    } finally {
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
    streamCount: () => wakers.size,
  };
}

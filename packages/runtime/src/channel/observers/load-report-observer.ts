// The load-report observer: reads the `sluice-load` report a Sluice server attaches to each call's
// trailers (or to an error's metadata) and hands it to the endpoint's subchannel.
import type { CallObserver } from "../call-observer.js";
import { metadataValue } from "../call-outcome.js";
import type { Subchannel } from "../subchannel.js";
import { loadReportHeader, parseLoadReport } from "../../limit/load-report-format.js";

/** Feeds every load report a call brings back into its endpoint's weight and reported latency. @private */
export const loadReportObserver: CallObserver<Subchannel> = {
  onCallEnd(call, outcome) {
    const text = metadataValue(outcome, loadReportHeader);
    if (text === undefined) return;
    const report = parseLoadReport(text);
    if (report !== undefined) call.endpoint.recordLoadReport(report);
  },
};

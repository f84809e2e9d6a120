// The outlier observer: reports each call's outcome (and a success's latency) to the outlier
// detector, counting as failures only the codes that say the endpoint is sick (by default
// UNAVAILABLE, which includes lost connections), not a deadline the caller's own short timeout
// caused nor an error a handler threw.
import { ConnectError, type Code } from "@connectrpc/connect";
import type { CallObserver } from "../call-observer.js";
import type { OutlierDetector } from "../outlier-detector.js";
import type { Subchannel } from "../subchannel.js";

/** Creates the observer feeding `detector`; calls the caller cancelled are not counted. @private */
export function createOutlierObserver(detector: OutlierDetector, failureCodes: ReadonlySet<Code>): CallObserver<Subchannel> {
  return {
    onCallEnd(call, outcome) {
      if (outcome.canceledByCaller) return;
      const failed = outcome.error !== undefined && failureCodes.has(ConnectError.from(outcome.error).code);
      // The latency of a success, measured as the latency observer does (a stream: to its headers).
      const answeredAt = call.kind === "stream" ? (call.headersAt ?? call.firstMessageAt) : outcome.endedAt;
      const latencyMs = outcome.error === undefined && answeredAt !== undefined ? answeredAt - call.startedAt : undefined;
      detector.record(call.endpoint.address, !failed, latencyMs);
    },
  };
}

// The in-flight observer: counts each endpoint's calls in flight, calls and failures (pickers read
// the in-flight count; a draining endpoint closes when it reaches zero).
import type { CallObserver } from "../call-observer.js";
import type { Subchannel } from "../subchannel.js";

/** Counts calls on their subchannel; a failure is any error the caller did not cause. @private */
export const inFlightObserver: CallObserver<Subchannel> = {
  onCallStart(call) {
    call.endpoint.callStarted();
  },
  onCallEnd(call, outcome) {
    call.endpoint.callEnded(outcome.error !== undefined && !outcome.canceledByCaller);
  },
};

// The connection-check observer: a call that failed below the server (UNAVAILABLE no server sent)
// makes its subchannel verify the connection, in case the loss was not reported as an event.
import type { CallObserver } from "../call-observer.js";
import type { Subchannel } from "../subchannel.js";
import { mayBeConnectionLoss } from "../connection-errors.js";

/** Asks the subchannel to check its connection after a failure that may be a lost connection. @private */
export const connectionCheckObserver: CallObserver<Subchannel> = {
  onCallEnd(call, outcome) {
    if (outcome.error !== undefined && !outcome.canceledByCaller && mayBeConnectionLoss(outcome.error)) {
      call.endpoint.checkConnection();
    }
  },
};

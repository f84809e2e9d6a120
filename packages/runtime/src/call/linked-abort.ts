// An AbortController that follows a caller's signal until released, so a layer can cancel its own
// call (a consumer leaving a stream early) without leaving listeners on a long-lived signal.
import { Code, ConnectError } from "@connectrpc/connect";

/** A call's own abort controller, linked to the caller's signal. @private */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  /** Aborts the call (no-op when already aborted) and releases the link. */
  abort(reason?: unknown): void;
  /** Stops following the caller's signal (the call is over). */
  release(): void;
}

/** The reason given when a consumer stops reading a stream before its end. @private */
export function leftEarlyError(): ConnectError {
  return new ConnectError("the stream was left before its end", Code.Canceled);
}

/** Creates a controller that aborts when `parent` does, until `release()`. @private */
export function linkAbort(parent: AbortSignal | undefined): LinkedAbort {
  const controller = new AbortController();
  let onParentAbort: (() => void) | undefined;
  const release = (): void => {
    if (onParentAbort !== undefined) parent?.removeEventListener("abort", onParentAbort);
    onParentAbort = undefined;
  };
  if (parent !== undefined) {
    if (parent.aborted) {
      controller.abort(parent.reason);
    } else {
      onParentAbort = () => {
        release();
        controller.abort(parent.reason);
      };
      parent.addEventListener("abort", onParentAbort, { once: true });
    }
  }
  return {
    signal: controller.signal,
    abort(reason) {
      release();
      if (!controller.signal.aborted) controller.abort(reason ?? leftEarlyError());
    },
    release,
  };
}

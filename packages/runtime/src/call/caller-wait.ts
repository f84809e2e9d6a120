// A caller's wait on something shared (a coalesced call, a credentials provider): it ends with the
// caller's own signal or deadline, as CANCELED or DEADLINE_EXCEEDED, without touching what it waits on.
import { Code, ConnectError } from "@connectrpc/connect";

/** How a caller's aborted signal ends its wait: the signal's ConnectError reason, else CANCELED. @private */
export function callerAbortError(signal: AbortSignal): ConnectError {
  return signal.reason instanceof ConnectError ? signal.reason : new ConnectError("the call was aborted by its caller", Code.Canceled, undefined, undefined, signal.reason);
}

/** A signal that aborts with DEADLINE_EXCEEDED after `timeoutMs`, or when `signal` aborts. @private */
export function withDeadline(signal: AbortSignal | undefined, timeoutMs: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new ConnectError(`the call exceeded its ${timeoutMs} ms deadline`, Code.DeadlineExceeded)), timeoutMs);
  const onAbort = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    },
  };
}

/**
 * `promise`'s outcome, or the caller's CANCELED (its `signal` aborted) or DEADLINE_EXCEEDED
 * (`timeoutMs` passed) if one comes first; `promise` itself runs on either way. @private
 */
export function waitWithin<T>(promise: Promise<T>, signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<T> {
  const deadline = timeoutMs !== undefined && timeoutMs > 0 ? withDeadline(signal, timeoutMs) : undefined;
  const ends = deadline?.signal ?? signal;
  if (ends === undefined) return promise;
  if (ends.aborted) {
    deadline?.dispose();
    return Promise.reject(callerAbortError(ends));
  }
  return new Promise<T>((resolve, reject) => {
    // Listener and timer go before the outcome is passed on, so none outlives the wait.
    const done = (): void => {
      ends.removeEventListener("abort", onAbort);
      deadline?.dispose();
    };
    const onAbort = (): void => {
      done();
      reject(callerAbortError(ends));
    };
    ends.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
  });
}

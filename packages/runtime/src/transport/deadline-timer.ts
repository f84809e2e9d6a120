// Deadline timers of the fast path (client and server): node fires a setTimeout longer than
// 2^31-1 ms after 1 ms, so a deadline further away than that (~24.8 days) is not armed, as in grpc-js.

/** The longest delay `setTimeout` honours. @private */
export const maxTimerDelayMs = 2_147_483_647;

/** Connect's convention: a timeout of 0 or less means no deadline. @private */
export function deadlineOf(timeoutMs: number | undefined): number | undefined {
  return timeoutMs === undefined || timeoutMs <= 0 ? undefined : timeoutMs;
}

/**
 * Calls `onDeadline` after `timeoutMs`; returns undefined (no timer) when the deadline is too far
 * away for `setTimeout`, e.g. grpc-go's `grpc-timeout: 2592000S`. @private
 */
export function armDeadline(onDeadline: () => void, timeoutMs: number): ReturnType<typeof setTimeout> | undefined {
  return timeoutMs > maxTimerDelayMs ? undefined : setTimeout(onDeadline, timeoutMs);
}

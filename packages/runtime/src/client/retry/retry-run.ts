// Runs one call's attempts under a retry policy (gRFC A6): retryable codes, backoff or server
// pushback, a budget shared by the channel, a deadline over all attempts, each retry elsewhere.
import { Code, ConnectError } from "@connectrpc/connect";
import type { RetryPolicy } from "../method-policy.js";
import { linkAbort } from "../../call/linked-abort.js";
import { createRetryBackoff } from "./retry-backoff.js";
import { parsePushback, pushbackHeader } from "./pushback.js";
import type { AttemptState } from "./attempt-state.js";
import type { AttemptFn } from "./attempt-call.js";

/** What a retried call needs besides its attempts. @private */
export interface RetryRun {
  readonly state: AttemptState;
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal | undefined;
  /** The call's timeout in ms, covering every attempt and every backoff. */
  readonly timeoutMs: number | undefined;
  /** False once another attempt cannot be sent (the request stream outgrew its replay buffer). */
  readonly replayable: () => boolean;
  /** The call is over or committed: free what was kept for further attempts. */
  readonly release: () => void;
  /** A stream: the committed attempt keeps following the caller's signal until its end. */
  readonly streaming: boolean;
  readonly random?: () => number;
}

/** The call's remaining time in whole ms (at least 1), or `undefined` without a deadline. @private */
export function remainingMs(timeoutMs: number | undefined, started: number, now: number): number | undefined {
  return timeoutMs === undefined ? undefined : Math.max(1, Math.floor(timeoutMs - (now - started)));
}

/** Resolves after `ms`, or rejects with CANCELED when `signal` aborts first. @private */
export function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(ConnectError.from(signal.reason, Code.Canceled));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(ConnectError.from(signal!.reason, Code.Canceled));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Sends attempts until one is committed, the error is not retryable, `maxAttempts` are spent, the
 * server's pushback says stop, the next backoff would pass the deadline, or the budget refuses a
 * retry; then the last attempt's error is returned. Pushback is read before the budget is asked,
 * so a server shedding load with a negative pushback costs no budget.
 *
 * @private
 */
export async function runRetries<R>(run: RetryRun, attempt: AttemptFn<R>): Promise<R> {
  const { state, policy, signal, timeoutMs } = run;
  const { budget, counters, now } = state;
  const started = now();
  const backoff = createRetryBackoff(policy, run.random);
  const avoid = new Set<string>();
  counters.calls++;
  budget.onRequest();
  try {
    for (let n = 0; ; n++) {
      const link = linkAbort(signal);
      const picked: string[] = [];
      try {
        const result = await attempt(n, link.signal, remainingMs(timeoutMs, started, now()), {
          avoid,
          onPicked: (address) => picked.push(address),
        });
        budget.onAttemptEnd("success");
        if (!run.streaming) link.release();
        return result;
      } catch (thrown) {
        link.release();
        for (const address of picked) avoid.add(address);
        const error = ConnectError.from(thrown);
        if (signal?.aborted === true || !policy.retryableCodes.includes(error.code)) throw thrown;
        budget.onAttemptEnd("retryable-failure");
        if (n + 1 >= policy.maxAttempts) throw thrown;
        if (!run.replayable()) {
          counters.replayOverflows++;
          throw thrown;
        }
        const pushback = parsePushback(error.metadata.get(pushbackHeader));
        if (pushback.kind === "stop") {
          counters.pushbackStops++;
          throw thrown;
        }
        const wait = pushback.kind === "delay" ? pushback.delayMs : backoff.next();
        if (pushback.kind === "delay") backoff.restart();
        if (timeoutMs !== undefined && now() - started + wait >= timeoutMs) throw thrown;
        if (!budget.tryRetry()) {
          counters.budgetExhausted++;
          throw thrown;
        }
        await delay(wait, signal);
        counters.retries++;
      }
    }
  } finally {
    run.release();
  }
}

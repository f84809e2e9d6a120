// Runs one call's hedged attempts: a copy goes to another endpoint after a delay (fixed or the
// method's observed latency percentile), the first committed attempt wins, the others are cancelled.
import { Code, ConnectError } from "@connectrpc/connect";
import type { HedgePolicy } from "../method-policy.js";
import { linkAbort, type LinkedAbort } from "../../call/linked-abort.js";
import { parsePushback, pushbackHeader } from "./pushback.js";
import type { AttemptState } from "./attempt-state.js";
import type { AttemptFn } from "./attempt-call.js";
import { remainingMs } from "./retry-run.js";
import type { HedgingDelayEstimator } from "./hedging-delay.js";

/** What a hedged call needs besides its attempts. @private */
export interface HedgeRun {
  readonly state: AttemptState;
  readonly policy: HedgePolicy;
  readonly signal: AbortSignal | undefined;
  /** The call's timeout in ms, covering every attempt. */
  readonly timeoutMs: number | undefined;
  /** Learns the method's latency and gives the delay when the policy is adaptive. */
  readonly estimator: HedgingDelayEstimator | undefined;
  readonly replayable: () => boolean;
  readonly release: () => void;
  readonly streaming: boolean;
}

/** The reason a losing hedged attempt is cancelled with. */
export function hedgeLostError(): ConnectError {
  return new ConnectError("another hedged attempt won", Code.Canceled);
}

/**
 * Starts the first attempt, then one more every hedging delay (or at once after a non-fatal code,
 * or after the server's pushback delay; a negative pushback stops hedging) up to `maxAttempts`,
 * each asking the channel's budget first and avoiding endpoints already used. The first attempt
 * to commit wins and the others are aborted; a fatal code from any attempt fails the call (the
 * others are aborted); when every attempt failed with a non-fatal code the last error is returned.
 * The estimator, if any, learns the winner's latency and, for each attempt sent before the winner,
 * its time until it was cancelled (a lower bound).
 *
 * @private
 */
export function runHedged<R>(run: HedgeRun, attempt: AttemptFn<R>): Promise<R> {
  const { state, policy, signal, timeoutMs, estimator } = run;
  const { budget, counters, now } = state;
  const started = now();
  const avoid = new Set<string>();
  /** Attempts in flight: their abort link and start time. */
  const live = new Map<number, { readonly link: LinkedAbort; readonly started: number }>();
  counters.calls++;
  budget.onRequest();
  return new Promise<R>((resolve, reject) => {
    let sent = 0;
    let settled = false;
    let hedging = true;
    /** The pending timer, kept set until its decision has run. */
    let timer: ReturnType<typeof setTimeout> | undefined;
    /** Counts timers set or dropped: a decision whose timer was replaced or dropped does nothing. */
    let timerGeneration = 0;
    let lastError: unknown;
    /** When the latest attempt went out: the hedging delay counts from it. */
    let lastLaunch = started;
    /** Whether a hedge went out because the delay passed (told to the estimator once per call). */
    let delayHedged = false;

    const dropTimer = (): void => {
      clearTimeout(timer);
      timer = undefined;
      timerGeneration++;
    };
    const settle = (winner: number | undefined): void => {
      settled = true;
      dropTimer();
      if (!delayHedged) estimator?.recordCall(false);
      signal?.removeEventListener("abort", onAbort);
      const at = now();
      for (const [n, { link, started: attemptStarted }] of live) {
        if (n === winner) continue;
        // An attempt sent before the winner took longer than it: its time so far is a lower bound
        // of its latency, at least the hedging delay. Leaving it out would keep the slow tail out of
        // the estimate and hedge more often than the percentile says.
        if (winner !== undefined && n < winner) estimator?.record(at - attemptStarted);
        counters.hedgesCancelled++;
        link.abort(hedgeLostError());
      }
      live.clear();
      run.release();
    };
    const fail = (error: unknown): void => {
      settle(undefined);
      reject(error);
    };
    const onAbort = (): void => fail(ConnectError.from(signal!.reason, Code.Canceled));
    signal?.addEventListener("abort", onAbort, { once: true });

    const canHedge = (): boolean => {
      if (!hedging || settled || sent >= policy.maxAttempts) return false;
      if (!run.replayable()) {
        counters.replayOverflows++;
        hedging = false;
        return false;
      }
      if (!budget.tryRetry()) {
        counters.budgetExhausted++;
        hedging = false;
        return false;
      }
      return true;
    };
    /**
     * Waits `ms`, then decides whether to send the next attempt. The decision waits for the poll
     * phase (setImmediate): after a stall of this process (a GC pause, a busy tick) timers run
     * before the answers that arrived meanwhile are read, and hedging calls whose answers are
     * already here helps nobody. After a hedging delay (`afterDelay`) the decision also checks
     * that the delay, as it stands now, has passed since the latest attempt went out: timers
     * count from the event loop's cached time and may fire early, and the adaptive delay may have
     * risen since the timer was set.
     */
    const schedule = (ms: number, afterDelay: boolean): void => {
      dropTimer();
      if (!hedging || sent >= policy.maxAttempts) return;
      if (timeoutMs !== undefined && now() - started + ms >= timeoutMs) return;
      const generation = timerGeneration;
      timer = setTimeout(() => setImmediate(decide, generation, afterDelay), ms);
    };
    const decide = (generation: number, afterDelay: boolean): void => {
      if (settled || generation !== timerGeneration) return;
      timer = undefined;
      if (afterDelay) {
        const waited = now() - lastLaunch;
        const delayMs = estimator?.delayMs() ?? policy.hedgingDelayMs;
        if (waited < delayMs) return schedule(delayMs - waited, true);
      }
      if (canHedge()) launch(afterDelay);
      else if (live.size === 0) fail(lastError);
    };
    const launch = (afterDelay: boolean): void => {
      const n = sent++;
      if (n > 0) counters.hedges++;
      if (afterDelay && !delayHedged) {
        delayHedged = true;
        estimator?.recordCall(true);
      }
      const link = linkAbort(signal);
      const attemptStarted = now();
      lastLaunch = attemptStarted;
      live.set(n, { link, started: attemptStarted });
      attempt(n, link.signal, remainingMs(timeoutMs, started, now()), { avoid, onPicked: (address) => avoid.add(address) }).then(
        (result) => {
          if (settled) {
            link.abort(hedgeLostError());
            return;
          }
          budget.onAttemptEnd("success");
          estimator?.record(now() - attemptStarted);
          settle(n);
          if (!run.streaming) link.release();
          resolve(result);
        },
        (thrown: unknown) => {
          live.delete(n);
          link.release();
          if (settled) return;
          lastError = thrown;
          const error = ConnectError.from(thrown);
          if (!policy.nonFatalCodes.includes(error.code)) return fail(thrown);
          budget.onAttemptEnd("retryable-failure");
          const pushback = parsePushback(error.metadata.get(pushbackHeader));
          if (pushback.kind === "stop") {
            counters.pushbackStops++;
            hedging = false;
            dropTimer();
          } else if (pushback.kind === "delay") {
            schedule(pushback.delayMs, false);
          } else if (canHedge()) {
            launch(false);
          }
          if (live.size === 0 && timer === undefined) fail(lastError);
        },
      );
      schedule(estimator?.delayMs() ?? policy.hedgingDelayMs, true);
    };
    launch(false);
  });
}

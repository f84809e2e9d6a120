// Open-loop load driver: starts calls at a fixed arrival rate whatever the server answers, so an
// overloaded server sees its load grow instead of slowing the client down (as real traffic does).
import type { BenchCaller } from "./contracts.js";
import { createLatencyHistogram, encodeHistogram, recordLatency } from "./histogram.js";
import { createResourceMeter } from "./resource-meter.js";
import type { LoadPhase, PhaseResult } from "./scenario.js";

/** gRPC code of a shed call: RESOURCE_EXHAUSTED (UNAVAILABLE is left out: clients raise it too). */
const SHED_CODE = 8;

/** Whether an error is a shed (a ConnectError or grpc-js error with code RESOURCE_EXHAUSTED). */
export function isShed(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === SHED_CODE;
}

/**
 * Runs an open-loop phase: it starts the calls due by then (`floor(elapsed × arrivalPerSec)`),
 * waking when the next one is due (at most every millisecond), for `durationMs`; then waits for
 * the outstanding ones. A
 * success goes into the latency histogram, a shed (RESOURCE_EXHAUSTED) into the reject histogram
 * (and, when the caller tells where sheds happen, into the caller's or the server's), anything else
 * counts failed; so does an arrival while `concurrency` calls are outstanding (it is not sent).
 * `elapsedMs` is the arrival window, so `calls / elapsedMs` is the goodput. Fails only when the
 * outstanding calls outlive `timeoutMs`.
 */
export async function runOpenLoopPhase(caller: BenchCaller, phase: LoadPhase): Promise<PhaseResult> {
  const rate = phase.arrivalPerSec ?? 0;
  const durationMs = phase.durationMs;
  if (!(rate > 0) || durationMs === undefined) throw new Error("an open-loop phase needs arrivalPerSec > 0 and durationMs");
  const successes = createLatencyHistogram();
  const rejects = createLatencyHistogram();
  // Sheds split by where they were decided, when the caller can tell (see BenchCaller.shedAtCaller).
  const shedAtCaller = caller.shedAtCaller?.bind(caller);
  const callerRejects = createLatencyHistogram();
  const serverRejects = createLatencyHistogram();
  let callerRejected = 0;
  const meter = createResourceMeter();
  let offered = 0;
  let succeeded = 0;
  let rejected = 0;
  let failed = 0;
  let outstanding = 0;
  let drained: (() => void) | undefined;

  const ended = (): void => {
    outstanding--;
    if (outstanding === 0) drained?.();
  };
  // One reaction per call (no .finally: a third promise and closure per call for the GC).
  const launch = (): void => {
    if (outstanding >= phase.concurrency) {
      failed++;
      return;
    }
    outstanding++;
    const begin = performance.now();
    caller.call(phase.callArgs).then(
      () => {
        recordLatency(successes, (performance.now() - begin) * 1000);
        succeeded++;
        ended();
      },
      (error: unknown) => {
        if (isShed(error)) {
          const us = (performance.now() - begin) * 1000;
          recordLatency(rejects, us);
          rejected++;
          if (shedAtCaller !== undefined) {
            const local = shedAtCaller(error);
            recordLatency(local ? callerRejects : serverRejects, us);
            if (local) callerRejected++;
          }
        } else {
          failed++;
        }
        ended();
      },
    );
  };

  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const elapsed = performance.now() - t0;
      const due = Math.floor((Math.min(elapsed, durationMs) * rate) / 1000);
      while (offered < due) {
        offered++;
        launch();
      }
      if (elapsed >= durationMs) resolve();
      // Sleep until the next arrival is due (at least 1 ms): at a low rate the driver wakes once
      // per call instead of every millisecond, which on a busy machine costs a wait for a CPU each.
      else setTimeout(tick, Math.max(1, Math.min(durationMs, ((offered + 1) * 1000) / rate) - elapsed));
    };
    tick();
  });
  const elapsedMs = performance.now() - t0;
  const callerLimitAtEnd = caller.callerLimit?.();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      new Promise<void>((resolve) => {
        drained = resolve;
        if (outstanding === 0) resolve();
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`open-loop phase: ${outstanding} calls still outstanding after ${phase.timeoutMs} ms`)), phase.timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return {
    calls: succeeded,
    messages: succeeded,
    elapsedMs,
    histogram: encodeHistogram(successes),
    resources: meter.stop(),
    openLoop: {
      offered,
      rejected,
      failed,
      rejectHistogram: encodeHistogram(rejects),
      ...(callerLimitAtEnd === undefined ? {} : { callerLimitAtEnd }),
      ...(shedAtCaller === undefined
        ? {}
        : { callerRejected, callerRejectHistogram: encodeHistogram(callerRejects), serverRejectHistogram: encodeHistogram(serverRejects) }),
    },
  };
}

// Closed-loop load driver: N calls in flight, latency into a histogram, bounded in count and time.
import type { BenchCaller } from "./contracts.js";
import { createLatencyHistogram, encodeHistogram, recordLatency } from "./histogram.js";
import { createResourceMeter } from "./resource-meter.js";
import type { LoadPhase, PhaseResult } from "./scenario.js";
import { runOpenLoopPhase } from "./open-loop.js";

/**
 * Runs one load phase (an open loop when `phase.arrivalPerSec` is set): `concurrency` workers each make calls back to back until the
 * duration has passed or `maxCalls` were started; fails on the first call error or when
 * the phase outlives `timeoutMs`.
 */
export async function runLoadPhase(caller: BenchCaller, phase: LoadPhase): Promise<PhaseResult> {
  if (phase.arrivalPerSec !== undefined) return runOpenLoopPhase(caller, phase);
  if (phase.durationMs === undefined && phase.maxCalls === undefined) {
    throw new Error("a load phase needs durationMs or maxCalls");
  }
  const histogram = createLatencyHistogram();
  const maxCalls = phase.maxCalls ?? Number.MAX_SAFE_INTEGER;
  let started = 0;
  let completed = 0;
  let messages = 0;
  let stopped = false;
  let failure: unknown = undefined;
  const meter = createResourceMeter();
  const t0 = performance.now();
  const durationTimer =
    phase.durationMs === undefined
      ? undefined
      : setTimeout(() => {
          stopped = true;
        }, phase.durationMs);

  const worker = async (): Promise<void> => {
    while (!stopped && started < maxCalls) {
      started++;
      const begin = performance.now();
      try {
        // Not `messages += await …`: that reads `messages` before the await and drops what the
        // other workers added meanwhile.
        const moved = await caller.call(phase.callArgs);
        messages += moved;
      } catch (e) {
        failure ??= e;
        stopped = true;
        return;
      }
      recordLatency(histogram, (performance.now() - begin) * 1000);
      completed++;
    }
  };

  let timeoutTimer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timeoutTimer = setTimeout(() => {
      stopped = true;
      reject(new Error(`load phase did not end within ${phase.timeoutMs} ms (${completed} calls done)`));
    }, phase.timeoutMs);
  });
  try {
    const workers: Promise<void>[] = [];
    for (let i = 0; i < phase.concurrency; i++) workers.push(worker());
    await Promise.race([Promise.all(workers), timeout]);
  } finally {
    clearTimeout(durationTimer);
    clearTimeout(timeoutTimer);
  }
  const elapsedMs = performance.now() - t0;
  const resources = meter.stop();
  if (failure !== undefined) {
    throw new Error(`call failed after ${completed} calls: ${String(failure instanceof Error ? failure.message : failure)}`);
  }
  return { calls: completed, messages, elapsedMs, histogram: encodeHistogram(histogram), resources };
}

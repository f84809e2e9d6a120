// The dispatcher: asks the current picker for an endpoint per call attempt and turns its answer
// into a subchannel, a wait for the next change of the ready set (within the deadline), or a failure.
import { Code, ConnectError } from "@connectrpc/connect";
import { PickDecision, type PickArgs, type Picker, type PickerEnv, type PickerPolicy, type PickResult } from "./picker.js";
import type { Subchannel } from "./subchannel.js";
import { createReadyWaiters } from "./ready-waiters.js";
import { callerShedError } from "./caller-shed.js";

/** What the dispatcher needs from the channel. @private */
export interface DispatcherOptions {
  readonly policy: PickerPolicy;
  readonly env: PickerEnv;
  /** Upper bound on a wait for an endpoint (ms). */
  readonly pickTimeoutMs: number;
  /** Wait for an endpoint even when every one is in transient failure. */
  readonly waitForReady: boolean;
  /** True when waiting cannot help: nothing is connecting. */
  readonly nothingPending: () => boolean;
  /** Why no endpoint can take a call. */
  readonly describe: () => string;
  /** Asks idle endpoints to connect (a call is waiting). */
  readonly exitIdle: () => void;
  /**
   * When every pickable endpoint is at its client-side concurrency limit: wait in a bounded queue
   * (at most `maxQueued` calls, each at most `timeoutMs`) for a place, or — without it — fail at
   * once with RESOURCE_EXHAUSTED.
   */
  readonly limitQueue?: { readonly maxQueued: number; readonly timeoutMs: number };
}

/** The dispatcher. @private */
export interface Dispatcher {
  /** Replaces the picker with one over `pickable`; wakes waiting calls. */
  update(pickable: readonly Subchannel[]): void;
  /** How many endpoints the current picker chooses among. */
  readonly pickableCount: number;
  /**
   * Picks without waiting: a subchannel, a failure, or `undefined` when the call must wait.
   * Honours `args.avoid`.
   */
  pickNow(args: PickArgs): Subchannel | PickDecision | undefined;
  /**
   * The error to fail a call with at once when `decision` (from {@link Dispatcher.pickNow}) says
   * every endpoint is at its limit and no limit queue is configured (see caller-shed.ts); undefined
   * for any other decision ({@link Dispatcher.pick} handles those).
   */
  shedNow(decision: PickDecision): ConnectError | undefined;
  /** Picks, waiting for a change of the ready set while that can help, within `timeoutMs` and `pickTimeoutMs`. */
  pick(args: PickArgs, signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<Subchannel>;
  /** Resolves once `count` endpoints are pickable; rejects with UNAVAILABLE after `timeoutMs`. */
  waitForPickable(count: () => number, timeoutMs: number): Promise<void>;
  /** Wakes waiting calls to look again (a place under an endpoint's limit freed up). */
  wake(): void;
  /** Calls waiting now because every endpoint was at its limit. */
  readonly queuedAtLimit: number;
  /** Fails every waiting and future pick with UNAVAILABLE "channel closed". */
  close(): void;
}

/** Times the picker is asked again when it answers an endpoint the call avoids. */
const avoidRetries = 2;

/** Creates a dispatcher. @private */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { env, pickTimeoutMs } = options;
  const waiters = createReadyWaiters();
  let picker: Picker<Subchannel> | undefined;
  let pickable: readonly Subchannel[] = [];
  let closed = false;
  let queuedAtLimit = 0;
  /** The answer when every pickable endpoint is at its concurrency limit. */
  const allAtLimit = PickDecision.create("fail", Code.ResourceExhausted, "every endpoint is at its client-side concurrency limit");

  /** Moves a pick off endpoints at their limit; `allAtLimit` when every pickable one is. */
  const underLimit = (args: PickArgs): Subchannel | PickDecision | undefined => {
    // Most calls over the limit find every endpoint full: tell that before allocating anything.
    const avoided = args.avoid;
    let anyFree = false;
    for (const sub of pickable) {
      if (sub.atLimit !== true && avoided?.has(sub.address) !== true) {
        anyFree = true;
        break;
      }
    }
    if (!anyFree) return allAtLimit;
    const full = new Set<string>(avoided ?? []);
    for (const sub of pickable) if (sub.atLimit === true) full.add(sub.address);
    const moved = pickAvoiding(args, full);
    if (moved === undefined || moved instanceof PickDecision) return moved;
    return moved.atLimit === true ? allAtLimit : moved;
  };

  const closedError = (): ConnectError => new ConnectError("channel closed", Code.Unavailable);

  /** The picker's answer, moved off avoided endpoints when another pickable one exists. */
  const pickAvoiding = (args: PickArgs, avoid: ReadonlySet<string>): PickResult<Subchannel> => {
    let result = picker?.pick(args);
    for (let i = 0; i < avoidRetries && result !== undefined && !(result instanceof PickDecision) && avoid.has(result.address); i++) {
      result = picker?.pick(args);
    }
    if (result === undefined || result instanceof PickDecision || !avoid.has(result.address)) return result;
    // The picker keeps answering an avoided endpoint (ring-hash does, by design): take the
    // least loaded of the others, or the avoided one when it is the only choice.
    let best: Subchannel | undefined;
    for (const sub of pickable) {
      if (!avoid.has(sub.address) && (best === undefined || sub.inFlight < best.inFlight)) best = sub;
    }
    return best ?? result;
  };

  const pickNow = (args: PickArgs): Subchannel | PickDecision | undefined => {
    if (closed) return PickDecision.create("fail", Code.Unavailable, "channel closed");
    const avoid = args.avoid;
    const result = avoid === undefined || avoid.size === 0 ? picker?.pick(args) : pickAvoiding(args, avoid);
    if (result instanceof PickDecision) return result.type === "queue" ? undefined : result;
    if (result?.atLimit === true) return underLimit(args);
    return result;
  };

  return {
    update(next) {
      pickable = next;
      picker = next.length > 0 ? options.policy.build(next, env) : undefined;
      waiters.wake();
    },
    get pickableCount() {
      return pickable.length;
    },
    pickNow,
    shedNow(decision) {
      return decision === allAtLimit && options.limitQueue === undefined ? callerShedError(decision.message) : undefined;
    },
    async pick(args, signal, timeoutMs) {
      const started = env.now();
      const budget = Math.min(timeoutMs ?? pickTimeoutMs, pickTimeoutMs);
      let queuedSince: number | undefined;
      for (;;) {
        const result = pickNow(args);
        if (result === allAtLimit && options.limitQueue !== undefined) {
          // Wait for a place under some endpoint's limit, in a bounded queue, for a bounded time.
          const queue = options.limitQueue;
          if (queuedSince === undefined) {
            if (queuedAtLimit >= queue.maxQueued) throw callerShedError(`${result.message}, and ${queue.maxQueued} calls already wait`);
            queuedSince = env.now();
          }
          const leftInQueue = queue.timeoutMs - (env.now() - queuedSince);
          const leftInBudget = budget - (env.now() - started);
          if (leftInQueue <= 0 || leftInBudget <= 0) throw callerShedError(`${result.message} (waited ${queue.timeoutMs} ms)`);
          queuedAtLimit++;
          try {
            await waiters.wait(Math.min(leftInQueue, leftInBudget), signal);
          } finally {
            queuedAtLimit--;
          }
          continue;
        }
        if (result === allAtLimit) throw callerShedError(result.message);
        if (result instanceof PickDecision) throw new ConnectError(result.message, result.code);
        if (result !== undefined) return result;
        if (pickable.length === 0) options.exitIdle();
        if (!options.waitForReady && pickable.length === 0 && options.nothingPending()) {
          throw new ConnectError(options.describe(), Code.Unavailable);
        }
        const left = budget - (env.now() - started);
        if (left <= 0) {
          const code = timeoutMs !== undefined && timeoutMs <= pickTimeoutMs ? Code.DeadlineExceeded : Code.Unavailable;
          throw new ConnectError(`timed out waiting for an endpoint: ${options.describe()}`, code);
        }
        await waiters.wait(left, signal);
      }
    },
    async waitForPickable(count, timeoutMs) {
      const started = env.now();
      while (pickable.length < count()) {
        if (closed) throw closedError();
        const left = timeoutMs - (env.now() - started);
        if (left <= 0) {
          throw new ConnectError(
            `timed out waiting for ${count()} ready endpoint(s), ${pickable.length} ready: ${options.describe()}`,
            Code.Unavailable,
          );
        }
        await waiters.wait(left, undefined);
      }
    },
    wake() {
      waiters.wake();
    },
    get queuedAtLimit() {
      return queuedAtLimit;
    },
    close() {
      closed = true;
      picker = undefined;
      pickable = [];
      waiters.wake();
    },
  };
}

// Test support: a deterministic discrete-event model of the overload bench's server (a fixed number
// of slots, a fixed service time, a FIFO queue in the handler) behind a limiter, offered an open loop.
import { createLimitAlgorithm, type LimitSpec } from "./create-limit.js";
import { createLimiter, type Token } from "./limiter.js";

/** The simulated server and load. */
export interface SimulatedOverload {
  /** The limiter in front of the server (undefined: none). */
  readonly limit: LimitSpec | undefined;
  /** Offered load as a multiple of the capacity, after 2 s at 0.1× (the unloaded reference). */
  readonly multiple: number;
  /** Calls worked on at once (default 16). */
  readonly slots?: number;
  /** Service time of a call, ms (default 10). */
  readonly serviceMs?: number;
  /** Most a timer fires late, ms: each call's answer is late by a seeded uniform share of it (default 1.5). */
  readonly timerLatenessMs?: number;
  /** Time between admission and the handler, and between the handler and the limiter's sample, ms (default 0.3). */
  readonly wireMs?: number;
}

/** What the simulation measured over the last 3 s of the load (after 1 s of settling). */
export interface SimulatedOutcome {
  /** Successful calls per second ÷ the capacity. */
  readonly goodput: number;
  /** p99 of successful calls' latency ÷ the unloaded p99 (from the 0.1× phase). */
  readonly p99Ratio: number;
  /** Least and greatest limit seen while measuring. */
  readonly limitRange: readonly [number, number];
}

type Call = { readonly arrivedAt: number; readonly loaded: boolean; token?: Token; gateAt?: number; endAt?: number };
type Event = { readonly at: number; readonly kind: "arrive" | "gate" | "done" | "answer"; readonly call: Call };

/** A binary min-heap of events by time (ties in insertion order do not matter: the model is deterministic). */
function eventQueue(): { push(e: Event): void; pop(): Event | undefined } {
  const heap: Event[] = [];
  const swap = (i: number, j: number): void => void ([heap[i], heap[j]] = [heap[j] as Event, heap[i] as Event]);
  return {
    push(e) {
      heap.push(e);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if ((heap[parent] as Event).at <= e.at) break;
        swap(parent, i);
        i = parent;
      }
    },
    pop() {
      const top = heap[0];
      const last = heap.pop();
      if (heap.length > 0 && last !== undefined) {
        heap[0] = last;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          let m = i;
          if (l < heap.length && (heap[l] as Event).at < (heap[m] as Event).at) m = l;
          if (l + 1 < heap.length && (heap[l + 1] as Event).at < (heap[m] as Event).at) m = l + 1;
          if (m === i) break;
          swap(m, i);
          i = m;
        }
      }
      return top;
    },
  };
}

const p99 = (values: number[]): number => {
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(0.99 * values.length))] ?? Number.NaN;
};

/**
 * Runs the model: arrivals evenly spaced, 2 s at 0.1× then 4 s at `multiple`×; an admitted call
 * reaches the handler `wireMs` later, waits for a slot in FIFO order, is served for `serviceMs`
 * (a slot's next call starts when the previous one was due to end, as the bench's capacity gate
 * does) and answered late by up to `timerLatenessMs`; the limiter gets its sample `wireMs` after
 * the answer. Shed calls are answered at once. Deterministic: a fixed-seed generator draws the
 * lateness and the algorithms' randomness.
 * @private
 */
export function simulateOverload(options: SimulatedOverload): SimulatedOutcome {
  const slots = options.slots ?? 16;
  const serviceMs = options.serviceMs ?? 10;
  const latenessMs = options.timerLatenessMs ?? 1.5;
  const wireMs = options.wireMs ?? 0.3;
  const capacityPerMs = slots / serviceMs;
  let now = 0;
  let seed = 1;
  const random = (): number => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const limiter =
    options.limit === undefined ? undefined : createLimiter<undefined>({ algorithm: createLimitAlgorithm(options.limit, { now: () => now, random }), now: () => now });
  const events = eventQueue();
  const unloadedEnd = 2000;
  const measureFrom = unloadedEnd + 1000;
  const end = unloadedEnd + 4000;
  for (let t = 0; t < unloadedEnd; t += 1 / (0.1 * capacityPerMs)) events.push({ at: t, kind: "arrive", call: { arrivedAt: t, loaded: false } });
  for (let t = unloadedEnd; t < end; t += 1 / (options.multiple * capacityPerMs)) events.push({ at: t, kind: "arrive", call: { arrivedAt: t, loaded: true } });
  const waiting: Call[] = [];
  let busy = 0;
  let succeeded = 0;
  const unloaded: number[] = [];
  const loaded: number[] = [];
  let least = Number.POSITIVE_INFINITY;
  let greatest = 0;
  const serve = (call: Call, startAt: number): void => {
    busy++;
    call.endAt = startAt + serviceMs;
    events.push({ at: call.endAt + random() * latenessMs, kind: "done", call });
  };
  for (let e = events.pop(); e !== undefined; e = events.pop()) {
    now = e.at;
    const call = e.call;
    if (e.kind === "arrive") {
      const token = limiter?.tryAcquire(undefined);
      if (limiter !== undefined && token === undefined) continue;
      call.token = token;
      events.push({ at: now + wireMs, kind: "gate", call });
    } else if (e.kind === "gate") {
      call.gateAt = now;
      if (busy < slots) serve(call, now);
      else waiting.push(call);
    } else if (e.kind === "done") {
      busy--;
      const next = waiting.shift();
      if (next !== undefined) serve(next, Math.max(call.endAt as number, next.gateAt as number));
      events.push({ at: now + wireMs, kind: "answer", call });
    } else {
      call.token?.success();
      const latency = now - call.arrivedAt;
      if (!call.loaded && call.arrivedAt >= unloadedEnd / 2) unloaded.push(latency);
      if (call.loaded && call.arrivedAt >= measureFrom) {
        loaded.push(latency);
        succeeded++;
      }
      if (limiter !== undefined && call.arrivedAt >= measureFrom) {
        least = Math.min(least, limiter.limit);
        greatest = Math.max(greatest, limiter.limit);
      }
    }
  }
  return {
    goodput: succeeded / (end - measureFrom) / capacityPerMs,
    p99Ratio: p99(loaded) / p99(unloaded),
    limitRange: [least, greatest],
  };
}

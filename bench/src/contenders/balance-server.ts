// Backends of the balance scenario: several Sluice serve() in this one process, one per port, each
// answering Echo after a timer (fast ones ~1 ms, one slow, overloaded, or failing fast), serving
// long streams, sending load reports, and counting the calls each receives.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { choiceOption, intOption, type StartServer } from "../harness/contracts.js";
import type { JsonObject } from "../harness/scenario.js";
import { EchoResponseSchema, EchoStreamResponseSchema } from "../../gen/bench/v1/echo_pb.js";
import { createCapacityGate, type CapacityGate } from "./capacity-gate.js";
import { startUnaryBackends } from "./unary-backends.js";
import { neighbourHeader, startNeighbourLoad, type NeighbourLoad } from "./neighbour-load.js";

/**
 * What the slow backend does: slow from the `configure` call on, never, some time after `mark`,
 * (`fail-fast`) answer every Echo at once with RESOURCE_EXHAUSTED, as an overloaded server shedding
 * load does, (`overload-after-mark`) become capacity-bound some time after `mark`: at most
 * `overloadCapacity` calls worked on at once, `overloadServiceMs` each, the rest queued in it, or
 * (`neighbour-after-mark`) be capacity-bound throughout (`sharedCapacity` calls at once,
 * `sharedServiceMs` each) and get a neighbour's load some time after `mark` (see `configure`).
 */
const slowModes = ["now", "never", "after-mark", "fail-fast", "overload-after-mark", "neighbour-after-mark"] as const;

/** How far before the onset the `toSlow` and `calls` series reach, ms (the balance goals read the share in the 500 ms before). */
const seriesBeforeOnsetMs = 500;

/** The neighbour's calls stop after this long at the latest (a bound on the load loop; the next point stops them sooner). */
const neighbourMaxMs = 60_000;

/** Gap between the messages of an EchoStream on the balance backends (the first is sent at once). */
const streamIntervalMs = 100;

/**
 * The backends' load reports: a fixed concurrency limit of 64, twice the calls the balance load
 * generator keeps in flight (so no call is shed; `util` = average calls in flight ÷ 64, large enough
 * not to round to 0 at the report's three decimals), and a 250 ms report window.
 */
const reportingLimits = { concurrency: { algorithm: "fixed", limit: 64 }, loadReport: { windowMs: 250 } } as const;

/** Counter name of backend `i` (1-based position in the port list): "slow" or "fast-<i>". */
function backendName(i: number, slowIndex: number): string {
  return i === slowIndex ? "slow" : `fast-${i + 1}`;
}

/**
 * Options: `backends` (default 4) ports served; `fastMs` (default 1) and `slowMs` (default 20)
 * timer delays before each answer; `slowBackend` (default 0), the index of the slow backend in the
 * port list; `slow` (default "never"), its initial mode; `overloadCapacity` (default 1) and
 * `overloadServiceMs` (default 4), the capacity of the overloaded backend; `sharedCapacity` (default
 * 8) and `sharedServiceMs` (default 1), the capacity of the backend a neighbour loads; `series`
 * "false" (default) or "true": keep the time series below; `loadReports` "true"
 * (default: every backend sends `sluice-load` reports, see `reportingLimits`) or "false".
 *
 * Point arguments (`configure`): `{ slow: "now" | "never" | "fail-fast" }`, or
 * `{ slow: "after-mark" | "overload-after-mark", afterMs }` to turn slow (overloaded) `afterMs`
 * after the measured window opens; with `overload-after-mark`, `backend` (default `slowBackend`)
 * names the backend that turns overloaded instead; `bucketMs` (default 250), the width of the time
 * series' buckets. `{ slow: "neighbour-after-mark", backend, afterMs, workers, rampMs, costMs }`:
 * `backend` is capacity-bound from `configure` on, and `afterMs` after the mark a neighbour — Echo
 * calls from this process over loopback gRPC, marked with the `x-bench-neighbour` header and never
 * counted — starts `workers` (default 16) closed-loop callers, one every `rampMs / workers` ms
 * (`rampMs` default 160), each call taking `costMs` (default 20) of one of the backend's slots.
 * Counters over each window: `window` (every Echo) and `whileSlow`, per backend: Echo calls that
 * arrived while the slow backend was slow, overloaded or failing — except while an EchoStream is
 * open (the balance scenario holds one long stream in its `stream` point): then Echo calls count as
 * `slow` when they reached the backend holding the stream and `other` when not, and while another
 * `backend` is overloaded, as `slow` when they reached it. Series (with the `series` option), at the `overload-after-mark` and
 * `neighbour-after-mark` points only and from 500 ms before the onset on: `toSlow`, per bucket, the
 * share of Echo calls that reached the overloaded backend, at the bucket's start in ms since the
 * onset (negative: before); `calls`, the Echo calls in each of those buckets. EchoStream
 * sends `count` messages, one every 100 ms, the first at once.
 */
export const startServer: StartServer = async (options) => {
  const backends = intOption(options, "backends", 4);
  const fastMs = intOption(options, "fastMs", 1);
  const slowMs = intOption(options, "slowMs", 20);
  const slowIndex = intOption(options, "slowBackend", 0);
  const overloadCapacity = intOption(options, "overloadCapacity", 1);
  const overloadServiceMs = intOption(options, "overloadServiceMs", 4);
  const sharedCapacity = intOption(options, "sharedCapacity", 8);
  const sharedServiceMs = intOption(options, "sharedServiceMs", 1);
  const reporting = choiceOption(options, "loadReports", ["true", "false"] as const, "true") === "true";
  const keepsSeries = choiceOption(options, "series", ["false", "true"] as const, "false") === "true";
  if (backends < 1 || slowIndex >= backends) {
    throw new Error(`options "backends" (${backends}) must be >= 1 and "slowBackend" (${slowIndex}) below it`);
  }
  // The slow backend is slow (or overloaded) from `slowSince` (performance.now() ms) on; Infinity: not slow.
  let slowSince = choiceOption(options, "slow", slowModes, "never") === "now" ? -Infinity : Infinity;
  let failFast = false;
  let overload: CapacityGate | undefined;
  // The `neighbour-after-mark` point: the loaded backend's capacity, the neighbour's settings, and the neighbour once started.
  let shared: CapacityGate | undefined;
  let neighbourArgs = { workers: 16, rampMs: 160, costMs: 20 };
  let neighbour: NeighbourLoad | undefined;
  let neighbourTimer: ReturnType<typeof setTimeout> | undefined;
  const stopNeighbour = async (): Promise<void> => {
    clearTimeout(neighbourTimer);
    neighbourTimer = undefined;
    const running = neighbour;
    neighbour = undefined;
    await running?.stop();
  };
  // The backend the point singles out: the slow one, or the one an `overload-after-mark` point names.
  let singledOut = slowIndex;
  const openStreams: number[] = Array.from({ length: backends }, () => 0);
  let slowAfterMarkMs: number | undefined;
  const names = Array.from({ length: backends }, (_, i) => backendName(i, slowIndex));
  const zero = (): Record<string, number> => Object.fromEntries(names.map((n) => [n, 0]));
  let window = zero();
  let whileSlow = zero();
  let bucketMs = 250;
  let seriesKept = false;
  let markedAt = performance.now();
  let buckets: { slow: number; all: number }[] = [];

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  const servers = await startUnaryBackends(
    backends,
    {
      async echo(i, request, context) {
        if (shared !== undefined && i === singledOut && context.requestHeader.get(neighbourHeader) === "1") {
          await shared.work(context.signal, neighbourArgs.costMs);
          return create(EchoResponseSchema, {});
        }
        const name = names[i]!;
        const isSlowBackend = i === singledOut;
        const slowNow = performance.now() >= slowSince || failFast;
        window[name]++;
        const bucket = (buckets[Math.floor((performance.now() - markedAt) / bucketMs)] ??= { slow: 0, all: 0 });
        bucket.all++;
        if (isSlowBackend) bucket.slow++;
        // While a long stream is open, `whileSlow` splits calls into those that reached the
        // backend holding it ("slow") and the rest ("other"); while another backend than the slow
        // one is overloaded, into those that reached it ("slow") and the rest.
        if (openStreams.some((n) => n > 0)) {
          const key = openStreams[i]! > 0 ? "slow" : "other";
          whileSlow[key] = (whileSlow[key] ?? 0) + 1;
        } else if (slowNow && singledOut !== slowIndex) {
          const key = isSlowBackend ? "slow" : "other";
          whileSlow[key] = (whileSlow[key] ?? 0) + 1;
        } else if (slowNow) {
          whileSlow[name]++;
        }
        if (isSlowBackend && failFast) throw new ConnectError(`${name} is overloaded`, Code.ResourceExhausted);
        if (isSlowBackend && shared !== undefined) await shared.work(() => context.signal);
        else if (isSlowBackend && slowNow && overload !== undefined) await overload.work(context.signal);
        else await sleep(isSlowBackend && slowNow ? slowMs : fastMs);
        return create(EchoResponseSchema, { payload: request.payload });
      },
      async *echoStream(i, request, context) {
        openStreams[i]!++;
        try {
          for (let n = 0; n < request.count && !context.signal.aborted; n++) {
            if (n > 0) await sleep(streamIntervalMs);
            yield create(EchoStreamResponseSchema, { payload: request.payload });
          }
        } finally {
          openStreams[i]!--;
        }
      },
    },
    "balance",
    reporting ? { limits: reportingLimits } : {},
  );
  return {
    ports: servers.map((s) => s.port),
    configure(args: JsonObject) {
      void stopNeighbour();
      const mode = choiceOption(args, "slow", slowModes, "now");
      const afterMark = mode === "after-mark" || mode === "overload-after-mark" || mode === "neighbour-after-mark";
      slowAfterMarkMs = afterMark ? intOption(args, "afterMs", 0) : undefined;
      slowSince = mode === "now" ? -Infinity : Infinity;
      failFast = mode === "fail-fast";
      overload = mode === "overload-after-mark" ? createCapacityGate(overloadCapacity, overloadServiceMs) : undefined;
      shared = mode === "neighbour-after-mark" ? createCapacityGate(sharedCapacity, sharedServiceMs) : undefined;
      neighbourArgs = { workers: intOption(args, "workers", 16), rampMs: intOption(args, "rampMs", 160), costMs: intOption(args, "costMs", 20) };
      singledOut = mode === "overload-after-mark" || mode === "neighbour-after-mark" ? intOption(args, "backend", slowIndex) : slowIndex;
      if (singledOut >= backends) throw new Error(`argument "backend" (${singledOut}) must be below the number of backends (${backends})`);
      bucketMs = intOption(args, "bucketMs", 250);
      seriesKept = keepsSeries && (mode === "overload-after-mark" || mode === "neighbour-after-mark");
    },
    mark() {
      window = zero();
      whileSlow = zero();
      markedAt = performance.now();
      buckets = [];
      if (slowAfterMarkMs !== undefined) slowSince = performance.now() + slowAfterMarkMs;
      if (shared !== undefined) {
        void stopNeighbour();
        const port = servers[singledOut]!.port;
        neighbourTimer = setTimeout(() => {
          neighbour = startNeighbourLoad({ port, ...neighbourArgs, maxMs: neighbourMaxMs });
        }, slowAfterMarkMs ?? 0);
      }
    },
    counters: () => ({ window, whileSlow }),
    series() {
      // Only the points with an onset a goal times keep series, from shortly before the onset on.
      if (!seriesKept) return undefined;
      const at = (i: number): number => i * bucketMs - (slowAfterMarkMs ?? 0);
      const kept = buckets.flatMap((b, i) => (b === undefined || b.all === 0 || at(i) < -seriesBeforeOnsetMs ? [] : [[at(i), b] as const]));
      return { toSlow: kept.map(([t, b]) => [t, b.slow / b.all] as const), calls: kept.map(([t, b]) => [t, b.all] as const) };
    },
    close: async () => {
      await stopNeighbour();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
};

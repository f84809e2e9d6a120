// Scenario "balance": four backends, one slow; every Sluice picker against grpc-js round_robin and
// pick_first, by latency, throughput and the share of calls each sends to the slow backend.
import type { Contender, Figure, Goal, LoadPhase, Point, Scenario, ScenarioMode } from "../harness/scenario.js";
import { bestBalancerGoal, caughtLines, caughtRun, overloadCaughtGoal } from "./balance-goals.js";
import { allOf, boundGoal, callsPerSec, p50, p99, ratioGoal } from "./goals.js";

/** Width of the `overloaded` point's time buckets, ms: fine enough to tell apart policies that all react within a few tenths of a second. */
const OVERLOAD_BUCKET_MS = 20;
/** Interval of the out-of-band load reports the *-oob lines ask for, and the load-report picker's refresh with them, ms. */
const OOB_MS = 25;
/** The `neighbour` point: the loaded backend's slots, the neighbour's workers, how long they take to start, and each call's cost. */
const NEIGHBOUR = { backend: 3, capacity: 8, workers: 12, rampMs: 240, costMs: 40 } as const;
/** Calls in flight (closed loop). */
const CONCURRENCY = 32;

/** The one server process of every contender: four Sluice serve() ports, the first one slow. */
const backends = {
  module: "contenders/balance-server.js",
  options: { backends: 4, fastMs: 1, slowMs: 20, slowBackend: 0, slow: "never", sharedCapacity: NEIGHBOUR.capacity, sharedServiceMs: 1 },
} as const;

/** The backends of a line whose time series a goal reads (the rest keep none, to keep balance.json small). */
const backendsWithSeries = { ...backends, options: { ...backends.options, series: "true" } } as const;

function sluice(id: string, balancer: string, extra: Record<string, string | number> = {}, note?: string): Contender {
  return {
    id,
    label: `Sluice ${balancer}${note === undefined ? "" : ` (${note})`}`,
    server: caughtLines.includes(id) ? backendsWithSeries : backends,
    client: { module: "contenders/sluice-client.js", options: { protocol: "grpc", balancer, ...extra } },
  };
}

function grpcJs(id: string, balancer: "round_robin" | "pick_first"): Contender {
  return {
    id,
    label: `grpc-js ${balancer}`,
    server: backends,
    client: { module: "contenders/grpc-js-client.js", options: { balancer } },
  };
}

/** The contenders, in table order: every Sluice picker, then the grpc-js anchors. */
const contenders: Contender[] = [
  sluice("pf", "pick-first"),
  sluice("rr", "round-robin"),
  sluice("rand", "random"),
  sluice("wrr", "weighted-round-robin"),
  sluice("lr", "least-request"),
  sluice("ewma", "peak-ewma"),
  sluice("ewma-finagle", "peak-ewma", { ewmaSampleWeight: "0" }, "ewmaSampleWeight 0: Finagle's time-only blend"),
  sluice("ewma-server", "peak-ewma", { latency: "server" }, "latency: server, the handler latency servers report"),
  sluice("ewma-eject", "peak-ewma", { ejectSlow: "true" }, "with slow-endpoint ejection: outlierDetection.slowEndpoints, defaults"),
  sluice("lrep", "load-report", { weightUpdatePeriodMs: 100, loadReportBlackoutMs: 500 }, "weights from load reports: 100 ms refresh, 0.5 s blackout"),
  sluice(
    "lrep-oob",
    "load-report",
    { weightUpdatePeriodMs: OOB_MS, loadReportBlackoutMs: 500, outOfBandMs: OOB_MS },
    `weights from out-of-band load reports every ${OOB_MS} ms: ${OOB_MS} ms refresh, 0.5 s blackout`,
  ),
  sluice("ewma-oob", "peak-ewma", { latency: "server", outOfBandMs: OOB_MS }, `latency: server, from out-of-band load reports every ${OOB_MS} ms`),
  sluice("ring", "ring-hash", { routingKey: "random" }),
  grpcJs("g-rr", "round_robin"),
  grpcJs("g-pf", "pick_first"),
  // Not a balancer: round robin over the three fast backends only, the tail this machine gives when
  // no call at all reaches the slow backend.
  sluice("fast-only", "round-robin", { fastOnly: "true" }, "reference: fast backends only"),
];

function phase(durationMs: number, callArgs: LoadPhase["callArgs"] = {}): LoadPhase {
  return { concurrency: CONCURRENCY, durationMs, timeoutMs: durationMs + 30_000, callArgs };
}

/** The `stream` point's calls: one 3 s stream held open at a time (30 messages, 100 ms apart) beside the unary calls. */
const holdStream = { holdStream: 30 };
/** The `failfast` point's calls: a RESOURCE_EXHAUSTED answer counts as a finished call. */
const tolerate = { tolerate: "resource-exhausted" };

/** Share of calls to the backend a point singles out (the `to slow` column). */
const toSlow = { name: "share to the singled-out backend", pick: (f: Figure) => f.counterShares?.whileSlow?.slow };

/** The goal of issue 4 at one point: p99 ≤ 0.25× grpc-js round_robin, p50 and req/s no worse. */
function ewmaGoal(point: string, label: string): Goal {
  return allOf(`Sluice peak-ewma (ewma) p99 ≤ 0.25× grpc-js round_robin (g-rr) p99, p50 ≤ 1×, req/s ≥ 1×, ${label} [issue 4]`, [
    ratioGoal("", "ewma", "g-rr", p99, 0.25, [point]),
    ratioGoal("", "ewma", "g-rr", p50, 1.0, [point]),
    ratioGoal("", "ewma", "g-rr", callsPerSec, 1.0, [point]),
  ]);
}

/** The balancing scenario. */
export const balanceScenario: Scenario = {
  name: "balance",
  title: "Balancing over four backends, one of them slow",
  description:
    "One server process hosts four Sluice `serve()` backends on four loopback ports; every Echo waits on a timer before answering: " +
    "~1 ms on three backends, 20 ms on the slow one (the first in the target list), so two cores suffice. Every backend has a fixed " +
    "concurrency limit of 64 (twice the calls in flight: never reached) so that it sends `sluice-load` load reports (250 ms window). All contenders use these same backends " +
    "(gRPC over h2c, one HTTP/2 connection per backend); the load generator, in its own process, keeps 32 calls in flight. " +
    "Sluice contenders are the generated client over `createChannel({ target: \"static:///…4 ports\", balancer })`, ring-hash with a random " +
    "routing key per call (`withRoutingKey`); *ewma-server* is peak-ewma on the handler latency the servers report (`latency: \"server\"`), " +
    "*ewma-eject* is peak-ewma with the outlier detector's slow-endpoint rule on (`outlierDetection: { slowEndpoints: {} }`: median of an endpoint's " +
    "last 16 successes ≥ 4× and ≥ 5 ms above the others' median ejects it, first for 30 s, so an ejection carries over into the next cases), " +
    "*lrep* the load-report picker (gRFC A58 weights from the reports; 100 ms weight refresh, 0.5 s blackout); grpc-js uses target " +
    "`ipv4:127.0.0.1:p1,…` with `loadBalancingConfig` round_robin or pick_first. " +
    "Each process pair is warmed up for 3 s with all backends fast. Then six cases, in this order: (1) the slow backend turns slow halfway " +
    "through the measured window (clients have learned a fast fleet; 0.5 s warm-up, all fast); (2) it is slow throughout (1 s warm-up with it slow); " +
    "(3) *failfast*: the first backend answers every call at once with RESOURCE_EXHAUSTED (an overloaded server shedding), the others ~1 ms — " +
    "such an endpoint looks fast and idle, and *to slow* is the share of calls it draws; (4) *overloaded*: the third backend (one no earlier case taught the " +
    "clients to avoid) turns capacity-bound halfway through (1 call worked on at a time, 4 ms each, the rest queued in its handler), slow because " +
    "overloaded rather than by a fixed delay — *to slow* is the share of calls it drew while overloaded; " +
    `(5) *neighbour*: the fourth backend is capacity-bound throughout (${NEIGHBOUR.capacity} calls worked on at once, 1 ms each, the rest queued in its handler: ` +
    "several times the calls the load generator sends it), and halfway through a neighbour — another client, in the server process, calling that " +
    `backend over loopback gRPC and never counted — starts ${NEIGHBOUR.workers} closed-loop callers, one every ${NEIGHBOUR.rampMs / NEIGHBOUR.workers} ms, each call ` +
    `holding a slot for ${NEIGHBOUR.costMs} ms: the slots fill as the neighbour ramps up, and from about ${Math.round(((NEIGHBOUR.capacity - 1.5) * NEIGHBOUR.rampMs) / NEIGHBOUR.workers)} ms ` +
    "after the onset (when the neighbour holds all but the 1–2 slots the measured client's calls use) calls queue there, the measured client's included — " +
    "load the measured client does not see until its own calls wait, and that the server's load reports show as it builds; *to slow* is the share of the " +
    "measured client's calls it drew while the neighbour ran. The neighbour's calls are long, so the handler latency the servers report (*ewma-server*, " +
    "*ewma-oob*) rises as they finish, before any queue: those lines see the neighbour through that average, not through waiting calls. *lrep-oob* is the load-report picker on out-of-band reports " +
    `(\`loadReports: { outOfBand: { intervalMs: ${OOB_MS} } }\`: one \`sluice.v1.LoadReportService\` stream per backend, utilization = calls in flight, queued ones included, ` +
    `averaged since the previous report ÷ the limit of 64; ${OOB_MS} ms weight refresh), *ewma-oob* peak-ewma on the handler latency those reports carry. ` +
    "In *overloaded* and *neighbour*, " +
    `the server's \`toSlow\` series gives the share of calls it drew per ${OVERLOAD_BUCKET_MS} ms bucket, and a policy *moved traffic away* ` +
    `at the start of the first ${caughtRun} consecutive windows after the onset each under 10 % of the calls, a window being consecutive buckets ` +
    "merged until they hold at least 20 calls (buckets thin out once the backend is overloaded: calls queued there hold the generator's 32 slots; " +
    `so to within ${OVERLOAD_BUCKET_MS} ms where buckets are full; fair is 25 %; not judged with fewer than ${caughtRun} such windows); (6) *stream*: all backends fast, and each load generator ` +
    "keeps one 3 s server stream open (30 messages 100 ms apart, the first at once) beside its unary calls — *to slow* is the share of unary " +
    "calls that reached the backend holding a stream while it held it (fair: 25 %). " +
    "The server counts calls per backend over the measured window: *to slow* is the share of the calls that reached the slow backend while it was slow; " +
    "*per backend* is the share each backend got over the whole window (slow first). pick-first sends everything to the first address, the slow one here. " +
    "Extra lines: *peak-ewma (ewmaSampleWeight 0)* is the estimator with Finagle's time-only blend, for comparison with Sluice's default; " +
    "*fast-only* is not a balancer but round robin over the three fast backends alone: no call reaches the slow backend, so its p99 is the " +
    "lowest any policy can reach on this machine under this load, and a p99 goal below it cannot be met by balancing.",
  kind: "balance",
  contenders,
  anchors: ["g-rr"],
  points(mode: ScenarioMode): Point[] {
    const measureMs = mode.durationMs ?? (mode.quick ? 400 : 5_000);
    return [
      {
        id: "halfway",
        label: "Slow backend turns slow halfway through",
        server: { slow: "after-mark", afterMs: Math.round(measureMs / 2) },
        warmup: phase(mode.quick ? 150 : 500),
        measure: phase(measureMs),
      },
      {
        id: "steady",
        label: "One backend slow throughout",
        server: { slow: "now" },
        warmup: phase(mode.quick ? 150 : 1_000),
        measure: phase(measureMs),
      },
      {
        id: "failfast",
        label: "One backend fails every call at once (RESOURCE_EXHAUSTED)",
        server: { slow: "fail-fast" },
        warmup: phase(mode.quick ? 150 : 1_000, tolerate),
        measure: phase(measureMs, tolerate),
      },
      {
        id: "overloaded",
        label: "A fast backend overloaded halfway through (capacity-bound: 1 call at a time, 4 ms each)",
        // The third backend: no earlier point taught the clients to avoid it (they all single out the first).
        server: { slow: "overload-after-mark", backend: 2, afterMs: Math.round(measureMs / 2), bucketMs: OVERLOAD_BUCKET_MS },
        warmup: phase(mode.quick ? 150 : 500),
        measure: phase(measureMs),
      },
      {
        id: "neighbour",
        label: `A neighbour overloads a backend halfway through (${NEIGHBOUR.capacity} slots; ${NEIGHBOUR.workers} calls of ${NEIGHBOUR.costMs} ms from another client, ramped up over ${NEIGHBOUR.rampMs} ms)`,
        // The fourth backend: neither the slow nor the overloaded point singled it out.
        server: {
          slow: "neighbour-after-mark",
          backend: NEIGHBOUR.backend,
          afterMs: Math.round(measureMs / 2),
          bucketMs: OVERLOAD_BUCKET_MS,
          workers: NEIGHBOUR.workers,
          rampMs: NEIGHBOUR.rampMs,
          costMs: NEIGHBOUR.costMs,
        },
        warmup: phase(mode.quick ? 150 : 500),
        measure: phase(measureMs),
      },
      {
        id: "stream",
        label: "A 3 s stream held open on one backend, all fast",
        server: { slow: "never" },
        warmup: phase(mode.quick ? 150 : 1_000, holdStream),
        measure: phase(measureMs, holdStream),
      },
    ];
  },
  warmup(mode: ScenarioMode): LoadPhase {
    return phase(mode.quick ? 300 : 3_000);
  },
  goals: [
    bestBalancerGoal,
    overloadCaughtGoal,
    ewmaGoal("steady", "one backend slow throughout"),
    ewmaGoal("halfway", "slow halfway through"),
    boundGoal("peak-ewma and least-request send a fast-failing backend at most its fair share (25 %) [issue 8]", ["ewma", "lr"], "failfast", toSlow, { max: 0.25 }),
    boundGoal(
      "a 3 s stream does not push peak-ewma's unary calls off its backend: ≥ 15 % of calls reach it while it holds the stream (fair: 25 %) [issue 8]",
      ["ewma"],
      "stream",
      toSlow,
      { min: 0.15 },
    ),
  ],
};

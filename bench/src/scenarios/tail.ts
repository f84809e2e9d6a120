// Scenarios "tail" (hedging against rare hiccups: p99/p99.9 and extra attempts, beside "The Tail at
// Scale") and "retry-storm" (a backend failing half its calls: attempts per call with and without the budget).
import type { Contender, LoadPhase, Point, Scenario, ScenarioMode } from "../harness/scenario.js";
import type { JsonObject } from "../harness/scenario.js";
import { amplificationGoal, tailCutGoal } from "./attempt-figures.js";

/** Calls in flight (closed loop, retry-storm). */
const CONCURRENCY = 8;

/** Measured window of a full run, in ms. */
const MEASURE_MS = 8_000;

/**
 * Calls started per second (open loop, tail): few enough that the load generator needs well under
 * a fair share of a CPU on a busy machine (~0.3–0.5 ms of CPU per call), so calls do not queue in it.
 */
const TAIL_RATE_PER_S = 200;

/** Measured window of the tail scenario: 9,000 calls in a full run, 3,000 in a quick one (p99.9 needs thousands). */
const TAIL_MEASURE_MS = { full: 45_000, quick: 15_000 };

/** Most tail calls outstanding at once (an arrival beyond it counts as failed). */
const TAIL_MAX_OUTSTANDING = 256;

/**
 * Four backends (tail and retry-storm) in one server process: on two cores that leaves one core to
 * the load generator and one to the backends, instead of five processes (five heaps, GCs and helper
 * threads) waking on two cores and waiting for each other. Tail hiccups are drawn per call, so they
 * stay independent between backends; a stall of the process itself holds all four, in every
 * contender and in the floor alike.
 */
function backends(options: JsonObject): Contender["server"] {
  return { module: "contenders/tail-server.js", options: { backends: 4, ...options } };
}

/**
 * Node flags of the tail load generator. V8's new space capped at 1 MiB: Node's HTTP/2 client keeps
 * a third to a half of what a request allocates alive past the next scavenge (a raw node:http2 client
 * at 200 requests/s: 6.9–9.7 of 18–19 KB per request; Sluice's adaptive hedging client 13.8 of 29.7 KB;
 * `node bench/dist/src/tools/scavenge-survival.js`), so with the default new space (grown to 16 MiB) each
 * scavenge copied up to 6.6 MB and paused the load generator every few seconds (GC pauses up to 12 ms
 * in the quiet run of 12-02 02:01, as long as a hedge waits); capped, a scavenge copies under 0.7 MB. And GC on the
 * main thread only: on two cores a parallel scavenge waits for helper threads that compete with the
 * server process for the other core (at load ~6: scavenge p99 22–89 ms with helpers, 7–9 ms without).
 */
const TAIL_CLIENT_FLAGS = ["--max-semi-space-size=1", "--single-threaded-gc"];

function sluice(id: string, label: string, server: Contender["server"], options: JsonObject, execArgv?: readonly string[]): Contender {
  return { id, label, server, client: { module: "contenders/sluice-attempts-client.js", options, ...(execArgv === undefined ? {} : { execArgv }) } };
}

function phase(durationMs: number): LoadPhase {
  return { concurrency: CONCURRENCY, durationMs, timeoutMs: durationMs + 30_000, callArgs: {} };
}

function points(mode: ScenarioMode, id: string, label: string): Point[] {
  const measureMs = mode.durationMs ?? (mode.quick ? 400 : MEASURE_MS);
  return [{ id, label, warmup: phase(mode.quick ? 200 : 2_000), measure: phase(measureMs) }];
}

function tailPhase(durationMs: number): LoadPhase {
  return { concurrency: TAIL_MAX_OUTSTANDING, arrivalPerSec: TAIL_RATE_PER_S, durationMs, timeoutMs: durationMs + 30_000, callArgs: {} };
}

const hiccups = backends({ fastMs: 1, hiccupMs: 100, hiccupRate: 0.01 });
const noHiccups = backends({ fastMs: 1, hiccupMs: 100, hiccupRate: 0 });

/** Hedging against rare slow calls. */
export const tailScenario: Scenario = {
  name: "tail",
  title: "Hedged requests against a 1 % chance of a 100 ms hiccup",
  description:
    "Four backends, each a Sluice `serve()` on its own loopback port, all four in one server process; each Echo waits ~1 ms, except that each " +
    "call has a 1 % chance of waiting 100 ms (the wait ends early when the call is cancelled, as a losing hedge is), drawn per call, so a " +
    "hiccup of one backend is not shared by the others. One process rather than four: this machine has two cores, and the load generator " +
    "and the backends then have one each, where five processes (five heaps with their GC and its helper threads, five event loops) would " +
    "keep waking on two cores and waiting for each other, a floor made by the bench itself; a stall of the server process holds all four " +
    "backends, for every contender and the floor alike. The load generator starts " +
    `${TAIL_RATE_PER_S} calls per second whatever the answers (open loop, as independent users do; ${TAIL_MEASURE_MS.full / 1000} s, ` +
    `${((TAIL_RATE_PER_S * TAIL_MEASURE_MS.full) / 1000).toLocaleString("en-US")} calls measured per run, ` +
    `${((TAIL_RATE_PER_S * TAIL_MEASURE_MS.quick) / 1000).toLocaleString("en-US")} with --quick) ` +
    "through the generated-style policy client over a round-robin channel to all four, in a process whose V8 new space is capped at " +
    "1 MiB and whose GC runs on the main thread only (`--max-semi-space-size=1 --single-threaded-gc`): Node's HTTP/2 client keeps a third " +
    "to a half of what a request allocates alive past the next scavenge, and with the default new space (grown to 16 MiB) a scavenge " +
    "copied up to 6.6 MB and paused the load generator every few seconds, inflating every contender's tail; capped, a scavenge copies " +
    "under 0.7 MB, and without helper threads it does not wait for the core the server runs on. Contenders: no hedging; hedging after a fixed 10 ms; " +
    "adaptive hedging after the method's observed p98 attempt latency (10 ms until 20 samples exist; an attempt that lost to a hedge counts " +
    "with its time until cancelled), raised (up to 4× it and to 4× the median) while more than 3 % of calls hedge; each with at most 2 attempts per call, going to another backend than the first, spending " +
    "the channel's retry budget (Finagle's default). *per backend* here is the backends' attempt counters: the share of first attempts and of " +
    "extra (hedged) attempts, from the `grpc-previous-rpc-attempts` header; extra attempts per call = extra ÷ first. " +
    "For comparison, \"The Tail at Scale\" (Dean & Barroso, CACM 2013): in a BigTable benchmark, hedging after 10 ms cut the p99.9 of reading " +
    "1,000 keys from 1,800 ms to 74 ms while sending only 2 % more requests. The last line is not hedging but the floor: the same load " +
    "with no hiccups at all, i.e. the p99.9 this machine gives a 1 ms call; hedging cannot go below it. The stall table says where that " +
    "floor comes from: a process waiting for a CPU (other load on the machine), GC, or its own event loop.",
  kind: "attempts",
  contenders: [
    sluice("none", "Sluice, no hedging", hiccups, { mode: "none" }, TAIL_CLIENT_FLAGS),
    sluice("fixed", "Sluice, hedging after 10 ms", hiccups, { mode: "fixed", hedgeDelayMs: 10 }, TAIL_CLIENT_FLAGS),
    sluice("adaptive", "Sluice, adaptive hedging (p98)", hiccups, { mode: "adaptive", percentile: 98, hedgeDelayMs: 10 }, TAIL_CLIENT_FLAGS),
    sluice("floor", "reference: no hiccups, no hedging", noHiccups, { mode: "none" }, TAIL_CLIENT_FLAGS),
  ],
  anchors: ["none"],
  points: (mode) => [
    {
      id: "hiccups",
      label: "1 % of calls hiccup for 100 ms",
      warmup: tailPhase(mode.quick ? 500 : 2_000),
      measure: tailPhase(mode.durationMs ?? (mode.quick ? TAIL_MEASURE_MS.quick : TAIL_MEASURE_MS.full)),
    },
  ],
  warmup: (mode) => tailPhase(mode.quick ? 500 : 2_000),
  goals: [
    tailCutGoal("Adaptive hedging cuts p99.9 by ≥ 5× for ≤ 5 % extra attempts [issue 14]", "adaptive", "none", 5, 0.05),
  ],
};

const failing = backends({ fastMs: 1, hiccupRate: 0, failRate: 0.5 });

/** Retries against a backend failing half its calls. */
export const retryStormScenario: Scenario = {
  name: "retry-storm",
  title: "Retries against backends failing half their calls",
  description:
    "Four backends in one server process, answering after ~1 ms but failing half of all calls with UNAVAILABLE. The client retries Echo up to 5 attempts " +
    "(gRFC A6: 5 ms initial backoff, ×2, ±20 % jitter), 8 calls in flight. Without a budget (a windowed budget that never refuses) a call " +
    "makes 1 + ½ + ¼ + ⅛ + 1/16 ≈ 1.94 attempts on average, nearly doubling the load on an unhealthy fleet; Finagle's budget (Sluice's " +
    "default: retries ≤ 20 % of requests over 10 s plus 10 per second) holds it to 1.2 plus that reserve spread over the calls; gRPC's token throttling (maxTokens 10, tokenRatio 0.1) lower still. " +
    "*per backend* is the share of first and extra attempts; attempts per call = 1 ÷ first share.",
  kind: "attempts",
  contenders: [
    sluice("unbudgeted", "Sluice retries, no budget", failing, { mode: "retry", budget: "unlimited" }),
    sluice("finagle", "Sluice retries, Finagle budget (default)", failing, { mode: "retry", budget: "finagle" }),
    sluice("throttling", "Sluice retries, gRPC throttling", failing, { mode: "retry", budget: "throttling" }),
  ],
  anchors: ["unbudgeted"],
  points: (mode) => points(mode, "half", "Half of all calls fail"),
  warmup: (mode) => phase(mode.quick ? 200 : 1_000),
  goals: [
    amplificationGoal(
      "With the default budget, attempts ≤ 1.2 × calls + the budget's minimum (10 retries/s × 10 s) against backends failing half their calls [issue 14]",
      "finagle",
      1.2,
      100,
      MEASURE_MS,
    ),
  ],
};

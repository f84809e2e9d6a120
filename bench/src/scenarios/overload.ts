// Scenario "overload": a server of fixed capacity (16 calls at a time, ~10 ms each) offered 0.5×
// to 4× its capacity by an open-loop load, with no limiter and with each concurrency limiter.
import type { Contender, Goal, LoadPhase, Point, Scenario, ScenarioMode, ScenarioResults } from "../harness/scenario.js";
import { figureOf } from "../harness/stats.js";
import { overloadLimiters, type OverloadLimiter } from "../contenders/overload-server.js";

const CAPACITY = 16;
const SERVICE_MS = 10;
/** Calls per second the server can serve: 16 at a time, 10 ms each. */
const CAPACITY_PER_SEC = (CAPACITY * 1000) / SERVICE_MS;
/** HTTP/2 connections the load generator may open (2 at the start) before a call waits for a stream slot. */
const MAX_CONNECTIONS = 16;
/** Deadline of every call, ms: bounds how long an unprotected server's queue can hold a call. */
const CALL_TIMEOUT_MS = 1000;

const labels: Record<OverloadLimiter, string> = {
  none: "no limiter",
  fixed: "fixed (16)",
  aimd: "AIMD",
  vegas: "Vegas",
  gradient2: "Gradient2",
  "envoy-gradient": "Envoy gradient",
  "aimd-window": "AIMD in Netflix's 1 s sample window",
  "vegas-window": "Vegas in Netflix's 1 s sample window",
  "gradient2-window": "Gradient2 in Netflix's 1 s sample window",
};

/** The limiters with a goal (every one but "none"). */
const limited = overloadLimiters.filter((l): l is Exclude<OverloadLimiter, "none"> => l !== "none");
/** The limiters that also run at the caller: every one but "none" (a caller's RTT includes the trip; a window evens out its stalls). */
const atCaller: readonly OverloadLimiter[] = limited;

/** Id of the contender with `limiter` at the caller (Sluice's client, `endpointLimit`) and at the server. */
const atCallerId = (limiter: OverloadLimiter): string => `caller-${limiter}`;

const serverOf = (limiter: OverloadLimiter): Contender["server"] => ({
  module: "contenders/overload-server.js",
  options: { capacity: CAPACITY, serviceMs: SERVICE_MS, limiter },
});

/** Id of the anchor: a raw node:http2 gRPC server with the same capacity and a fixed limit of 16 (contenders/raw-shed-server.ts). */
const RAW = "raw";

/** The lean load generator of every server-only line (and of the anchor). */
const leanClient: Contender["client"] = { module: "contenders/lean-grpc-client.js", options: { connections: 2, maxConnections: MAX_CONNECTIONS } };

const contenders: Contender[] = [
  // The anchor: the least a Node server can do to shed on this machine (no Connect, no Sluice).
  {
    id: RAW,
    label: `raw node:http2 shedder, fixed (${CAPACITY}), no Connect, no Sluice (anchor)`,
    server: { module: "contenders/raw-shed-server.js", options: { capacity: CAPACITY, serviceMs: SERVICE_MS } },
    client: leanClient,
  },
  ...overloadLimiters.map((limiter) => ({
    id: limiter,
    label: labels[limiter],
    server: serverOf(limiter),
    client: leanClient,
  })),
  // The same server limiter, behind Sluice's generated client whose channel keeps the same limit
  // per endpoint: most sheds are decided in the caller's process, the server's limiter is the backstop.
  ...atCaller.map((limiter) => ({
    id: atCallerId(limiter),
    label: `${labels[limiter]} at the caller and the server`,
    server: serverOf(limiter),
    client: { module: "contenders/sluice-limited-client.js", options: { limiter, capacity: CAPACITY, serviceMs: SERVICE_MS } },
  })),
];

function phase(multiple: number, durationMs: number, mode: ScenarioMode): LoadPhase {
  // --quick shortens the deadline too: draining calls stuck behind an unprotected queue dominates its time.
  const callTimeoutMs = mode.quick ? CALL_TIMEOUT_MS / 4 : CALL_TIMEOUT_MS;
  return {
    concurrency: 20_000,
    arrivalPerSec: multiple * CAPACITY_PER_SEC,
    durationMs,
    timeoutMs: durationMs + callTimeoutMs + 20_000,
    callArgs: { timeoutMs: callTimeoutMs },
  };
}

/** Load multiples measured, with the unloaded reference first. */
const multiples: ReadonlyArray<readonly [string, number, string]> = [
  ["x0.1", 0.1, "0.1× capacity (unloaded reference)"],
  ["x0.5", 0.5, "0.5× capacity"],
  ["x1", 1, "1× capacity"],
  ["x2", 2, "2× capacity"],
  ["x4", 4, "4× capacity"],
];

const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : "–");
/** A time in µs as ms, or "none shed" when there is none. */
const fmtUs = (us: number | undefined): string => (us === undefined ? "none shed" : `${fmt(us / 1000)} ms`);

/** The anchor's figures at `point` beside a server-only line's: its reject p99 and its successes' p99 (and how many unloaded p99s that is). */
function rawText(results: ScenarioResults, point: string): string {
  const f = figureOf(results, RAW, point);
  const o = f?.openLoop;
  if (f === undefined || o === undefined) return "raw shedder: not measured";
  const unloaded = figureOf(results, RAW, "x0.1");
  const reject = o.rejectedShare > 0 ? `reject p99 ${fmt(o.rejectP99Us / 1000)} ms` : "no call shed";
  const ok = o.goodputPerSec > 0 ? `p99 ${fmt(f.p99Us / 1000)} ms${unloaded === undefined ? "" : `, ${fmt(f.p99Us / unloaded.p99Us)}× its unloaded`}` : "no successful call";
  return `raw shedder: ${reject}, ${ok}`;
}

/** Slack of our own goal: Sluice's fixed limit may take this many times the raw shedder's reject p99. */
const RAW_REJECT_SLACK = 1.5;

/**
 * Our own goal, not issue 13's: with the same fixed limit of 16 on the same capacity, Sluice's
 * server-side shed path (serve() admission, Trailers-Only answer) costs the caller at most
 * {@link RAW_REJECT_SLACK}× the raw shedder's reject p99 at 2× and 4×, measured in the same run.
 */
const fixedVersusRawGoal: Goal = {
  description:
    `[ours, not issue 13] fixed (16) on serve() sheds as fast as the machine allows: its reject p99 at 2× and 4× ≤ ${RAW_REJECT_SLACK}× ` +
    "the raw node:http2 shedder's (raw: same capacity, same fixed limit, no Connect, no Sluice) in the same run",
  evaluate(results: ScenarioResults) {
    const parts: string[] = [];
    let met: boolean | undefined = true;
    for (const point of ["x2", "x4"]) {
      const sluice = figureOf(results, "fixed", point)?.openLoop;
      const raw = figureOf(results, RAW, point)?.openLoop;
      if (sluice === undefined || raw === undefined || !(sluice.rejectedShare > 0) || !(raw.rejectedShare > 0)) {
        met = undefined;
        parts.push(`${point}: not measured, or nothing shed`);
        continue;
      }
      const r = sluice.rejectP99Us / raw.rejectP99Us;
      const ok = r <= RAW_REJECT_SLACK;
      if (!ok && met !== undefined) met = false;
      parts.push(`${point}: fixed ${fmt(sluice.rejectP99Us / 1000)} ms, raw ${fmt(raw.rejectP99Us / 1000)} ms: ${fmt(r)}×${ok ? "" : " ✗"}`);
    }
    return { met, detail: parts.join("; ") };
  },
};

/** Goal of issue 13 for one limiter at 2× and 4× (`atCaller`: the same limit at the caller and the server). */
function limiterGoal(limiter: OverloadLimiter, atCaller = false): Goal {
  const id = atCaller ? atCallerId(limiter) : limiter;
  const who = atCaller ? `${labels[limiter]} with the same limit at the caller and the server` : labels[limiter];
  return {
    description: `${who} (${id}) at 2× and 4×: goodput ≥ 0.9× capacity (${CAPACITY_PER_SEC}/s), p99 of successes ≤ 2× its unloaded p99, rejects answered in ≤ 1 ms p99 [issue 13]`,
    evaluate(results: ScenarioResults) {
      const unloaded = figureOf(results, id, "x0.1");
      const parts: string[] = [];
      let met: boolean | undefined = true;
      for (const point of ["x2", "x4"]) {
        const f = figureOf(results, id, point);
        const o = f?.openLoop;
        if (f === undefined || o === undefined || unloaded === undefined) {
          met = undefined;
          parts.push(`${point}: not measured`);
          continue;
        }
        const goodput = o.goodputPerSec / CAPACITY_PER_SEC;
        const succeeded = o.goodputPerSec > 0;
        const p99 = f.p99Us / unloaded.p99Us;
        const shed = o.rejectedShare > 0;
        const rejectMs = o.rejectP99Us / 1000;
        // Without a successful call there is no latency to compare; without a shed call, no reject time.
        const ok = goodput >= 0.9 && succeeded && p99 <= 2 && (!shed || rejectMs <= 1);
        if (!ok && met !== undefined) met = false;
        const p99Text = succeeded ? `p99 ${fmt(f.p99Us / 1000)} ms, ${fmt(p99)}× unloaded` : "no successful call";
        const split =
          o.callerRejectedShare === undefined
            ? ""
            : ` (${fmt((100 * o.callerRejectedShare) / Math.max(o.rejectedShare, 1e-9), 0)} % at the caller: p99 ${fmtUs(o.callerRejectP99Us)}; by the server: p99 ${fmtUs(o.serverRejectP99Us)})`;
        const rejectText = shed ? `reject p99 ${fmt(rejectMs)} ms${split}` : "no call shed";
        const anchorText = atCaller ? "" : ` (${rawText(results, point)})`;
        parts.push(`${point}: goodput ${fmt(goodput)}× capacity, ${p99Text}, ${rejectText}${anchorText}${ok ? "" : " ✗"}`);
      }
      return { met, detail: parts.join("; ") };
    },
  };
}

/** The reference line: without a limiter, latency grows with the load (p99 at 4× ≥ 10× unloaded). */
const noLimiterGoal: Goal = {
  description: "No limiter: latency of successes grows without bound under overload (p99 at 4× ≥ 10× unloaded p99) — the problem the limiters solve",
  evaluate(results: ScenarioResults) {
    const unloaded = figureOf(results, "none", "x0.1");
    const loaded = figureOf(results, "none", "x4");
    if (unloaded === undefined || loaded === undefined) return { met: undefined, detail: "not measured" };
    if (!(loaded.openLoop !== undefined && loaded.openLoop.goodputPerSec > 0)) {
      const failed = loaded.openLoop === undefined ? "" : ` (${fmt(loaded.openLoop.failedShare * 100, 0)} % failed)`;
      return { met: undefined, detail: `no call succeeded at 4×${failed}: no latency to compare` };
    }
    const r = loaded.p99Us / unloaded.p99Us;
    return { met: r >= 10, detail: `p99 at 4× is ${fmt(r, 1)}× the unloaded p99 (${fmt(loaded.p99Us / 1000, 0)} ms)` };
  },
};

/** The overload scenario. */
export const overloadScenario: Scenario = {
  name: "overload",
  title: "Overload: a server of fixed capacity offered up to 4× that load",
  description:
    `One Sluice \`serve()\` whose Echo has a fixed capacity: at most ${CAPACITY} calls are worked on at once, each for ${SERVICE_MS} ms; ` +
    `the rest wait in the handler's FIFO, as work behind a busy CPU does (capacity ${CAPACITY_PER_SEC} calls/s). Each of the ${CAPACITY} slots keeps ` +
    "its own 10 ms schedule: a Node timer that fires late (≥ 1 ms on a busy event loop) delays that call's answer, not the start of the call " +
    "waiting behind it, so the timers' lateness does not eat capacity (it would leave ~1,450 calls/s, under the goals' 90 %). In front of it, " +
    "`serve({ limits })` with no limiter, a fixed limit of 16, or an adaptive one with the defaults of Netflix's concurrency-limits (AIMD, " +
    "Vegas, Gradient2) or Envoy's (gradient controller), except AIMD's drop timeout: 15 ms, 1.5× the service time (AIMD's only congestion " +
    "signal on a server; the 5 s default never fires here). Netflix's least limit of 20 is above this server's capacity, but a lower one lets " +
    "AIMD collapse, one backoff per late answer (packages/runtime/src/limit/simulated-server.spec.ts models this server exactly and shows " +
    "what each algorithm can reach on it, whatever the machine). The load generator is not Sluice's client but the bench's lean gRPC client (contenders/lean-grpc-client.ts) in its own " +
    `process: raw node:http2 on 2 HTTP/2 connections used in turn, at most 200 streams open on each; when all are that full it opens another, up to ${MAX_CONNECTIONS}, as a production client would rather than queue calls behind slow ones (only then do later calls wait, in order), the request ` +
    "frame encoded once, one object per call with the stream listeners shared by all calls and one timer for all deadlines (a ring in start order) instead of a Node timer per call, " +
    "`AsyncResource.prototype.bind` replaced in that process only by one without Node 20's two deprecation wrappers per request (contenders/lean-async-bind.ts), " +
    "each call timed from its start until its grpc-status arrives and classified by it (0 with a response message: " +
    "success; 8: shed; anything else, or none: failed), with the deadline sent as grpc-timeout and kept by the client too (it fails the call " +
    `then but resets no stream: node's server closes a connection that resets over 1,000 streams). It is the measuring tool, not the thing measured: at 4× ` +
    `(${4 * CAPACITY_PER_SEC} calls/s), every call crossing the wire, Sluice's own client took 130–180 % of a core of this 2-core machine and its figures measured the machine, ` +
    "not the limiter (the lines with a limit at the caller, below, use it). " +
    `The *(raw)* line is the anchor, measured in the same run at every point with the same lean load generator: no Connect, no Sluice, a raw node:http2 gRPC server (contenders/raw-shed-server.ts) with the same capacity (${CAPACITY} slots × ${SERVICE_MS} ms, the same gate) ` +
    `behind a fixed limit of ${CAPACITY} checked in node's 'stream' event, before the body is read: over it, a Trailers-Only answer with grpc-status 8 and a grpc-message at once ` +
    "(its stream closed with RST_STREAM NO_ERROR on the next turn, as Sluice's shed does); under it, the body echoed back as the EchoResponse, the slot freed when the answer's headers go out; " +
    "like serve(), it advertises 250 streams per connection and opens each connection's receive window to 2 MiB. " +
    "It is about the least a Node server can do per shed, so its reject p99 is what this machine and two busy Node processes allow: each server-only goal line shows it beside the line's own, " +
    `and one goal of our own, not the issue's, holds Sluice's fixed limit to ${RAW_REJECT_SLACK}× it. ` +
    "It is an open loop: it starts calls at a fixed arrival rate (due calls are started every millisecond) whatever the " +
    `answers, each with a ${CALL_TIMEOUT_MS} ms deadline (${CALL_TIMEOUT_MS / 4} ms with --quick), at 0.1× (the unloaded reference), 0.5×, 1×, ` +
    "2× and 4× the capacity, in that order within one server process (the limit carries over; --quick measures 0.1×, 2× and 4× only). " +
    "*goodput* is successful calls per second of the arrival window; p50/p99 are of successful calls only; *rejected* are calls answered " +
    "RESOURCE_EXHAUSTED (shed), *failed* any other error (deadline exceeded); *reject p50/p99* is the time from the open loop starting a call (a due call is started at the tick that finds it due) until the load " +
    "generator's event loop handles the RESOURCE_EXHAUSTED status: it includes any wait for a stream slot, the load generator's write, the " +
    "server's read, the server's write and the load generator's read, so both event loops' delays count; *server reject p99* is the " +
    "server's own part: from node's 'stream' event (headers parsed) to the shed answer's respond; *handler ms mean* is the Echo handler's " +
    "mean time (any wait for a slot of the gate + 10 ms + the lateness of its timer) and in brackets how late its 10 ms timers fired " +
    "(mean / p99): a call holds its limiter slot for at least the handler time, so with a limit of L goodput is at most L ÷ that time " +
    "(16 ÷ 11.1 ms is already only 0.9× capacity): when the server's event loop is busy its timers fire late and every limiter loses " +
    "goodput (at load average 7.5 on 2 December, with both processes waiting for a CPU 420–850 ms/s, the timers fired 46–155 ms late " +
    "on average at 2× and 4×). Late timers are not the only loss: at load average 5 (CPU waits 200–350 ms/s) the fixed limit's timers fired " +
    "0.95 / 0.35 ms late on average at 2× / 4×, yet it served 1,101 / 1,293 calls/s, a slot held 14.5 / 12.4 ms (16 ÷ goodput) for a " +
    "handler time of 10.3 / 9.8 ms: the rest was the admitted call waiting for the server's event loop, mostly after its answer: its " +
    "slot freed when its status went out in the trailers, which node asks for one send cycle of the session after the answer's headers " +
    "and message (a probe of that gap at load average 3.7, CPU waits 480–760 ms/s: mean 31 / 9.6 ms, p99 154 / 78 ms at 2× / 4×); " +
    "a unary gRPC call's slot now frees when its answer's headers go out. " +
    "Where the rest of a shed call's time goes: " +
    "bench/src/tools/reject-timing.ts runs this server and load generator and stamps every shed call (performance.timeOrigin + " +
    "performance.now(), comparable across the two processes) at its start, at its stream's opening, at the server's 'stream' event and " +
    "respond, and when its status is handled; in every run so far without a profiler the server's part stayed at or under 0.22 ms p99 " +
    "on a quiet machine (up to 1.7 ms at load average 6–8), and the time went into the two trips between the processes, each waiting for the receiving event loop " +
    "(and, once the load generator itself fell a second behind, for a stream slot even with 16 connections). What holds a loop is in the table under each point: GC pauses, and time the process was " +
    "runnable but got no CPU. A shed call meets a stall of either process with the sum of their stalled shares (tens to a hundred " +
    "ms per second each at 2× and 4× on 2 cores: 1 December's quiet run measured 66 ms/s of GC, up to 21 ms at a time, and 69 ms/s " +
    "of CPU wait in the load generator at 2× with a fixed limit, 54 ms/s and 69 ms/s in the server), far more than 1 % of calls, so " +
    "with two busy processes on 2 cores the reject p99 is the length of such a stall (milliseconds to tens), not the admission's " +
    "(at load average 7.4 on 2 December, fixed limit, 16 connections, 2× / 4×: p99 of the whole 1,484 / 1,867 ms, of which the server's " +
    "part 0.11 / 0.07 ms, the trip to the server 720 / 703 ms and the trip back 825 / 1,189 ms, a GC pause of the load generator inside " +
    "every call of the slowest 1 %). GC is most of what a busy process can shed: bench/src/tools/shed-cost.ts counts the bytes each " +
    "call allocates and leaves alive at a scavenge in both processes (docs/LIMITS.md gives its figures); " +
    "*CPU client/server* is each process's CPU time over the window as a share of one core (near 100 %, or as much as the shared machine " +
    "grants, the process is saturated and its figures measure the machine, not the limiter). " +
    "Each process pair warms up 2 s at 0.5× (0.2 s with --quick), each point 0.5 s at its own load. " +
    "The *-window* lines run AIMD, Vegas and Gradient2 with the same settings in Netflix's sample window (`window: {}`: the limit moves " +
    "once per 1 s window of samples, on their average RTT, as Netflix's WindowedLimit does; docs/LIMITS.md shows in the simulated server " +
    "why per-call updates overshoot), with the same lean load generator. " +
    "The *at the caller and the server* lines keep the same server and limiter and put the same algorithm with the same settings in the " +
    "caller: the load generator is then Sluice's generated Echo client over `createChannel({ endpointLimit })` to the one server " +
    "(contenders/sluice-limited-client.ts, no limit queue), driven by the same open loop (arrival rate, deadlines, timing); a call over " +
    "the caller's limit fails at once in that process with RESOURCE_EXHAUSTED and is never sent, and the server's limiter stays " +
    "behind it as the backstop. *of them at the caller* is the share of the rejects decided there (`isShedAtCaller`), and *reject " +
    "p50 / p99 at the caller · by the server* times the two kinds apart, from the same start as *reject p50/p99* (which counts both), and " +
    "*limit at end* gives the caller's limit before the server's. " +
    "Here Sluice's client is the thing measured, CPU included: three quarters of the calls at 4× end in its own process.",
  kind: "overload",
  contenders,
  anchors: [RAW],
  points(mode: ScenarioMode): Point[] {
    const measureMs = mode.durationMs ?? (mode.quick ? 500 : 3_000);
    // --quick keeps the reference and the two points the goals judge (2× and 4×), to stay under a
    // minute; each still warms up long enough for the adaptive limits to settle (a few updates).
    const measured = mode.quick ? multiples.filter(([id]) => id === "x0.1" || id === "x2" || id === "x4") : multiples;
    return measured.map(([id, multiple, label]) => ({
      id,
      label,
      warmup: phase(multiple, 500, mode),
      measure: phase(multiple, measureMs, mode),
    }));
  },
  warmup(mode: ScenarioMode): LoadPhase {
    return phase(0.5, mode.quick ? 200 : 2_000, mode);
  },
  goals: [...limited.map((l) => limiterGoal(l)), noLimiterGoal, ...atCaller.map((l) => limiterGoal(l, true)), fixedVersusRawGoal],
};

// Types of the benchmark harness: scenarios, contenders, process specs, load phases and samples.
// A scenario is plain data plus a few pure functions, so a new one is a single small file.

/** A JSON value passed to child processes over IPC. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A JSON object of options for a server or client module. */
export type JsonObject = { [key: string]: Json };

/**
 * One child process: a module under bench/dist/src (e.g. "contenders/grpc-js-server.js")
 * and the options its factory receives.
 */
export interface ProcessSpec {
  /** Module path relative to bench/dist/src, ending in ".js". */
  readonly module: string;
  /** Options handed to the module's factory. */
  readonly options?: JsonObject;
  /** Extra node flags for this process (the runner may add --cpu-prof). */
  readonly execArgv?: readonly string[];
}

/** A server and a load generator that together make one bar of a chart. */
export interface Contender {
  /** Short id used in ratios and goals, e.g. "a" or "d". */
  readonly id: string;
  /** Human label, e.g. "Connect-ES (gRPC)". */
  readonly label: string;
  /** The server process; its module exports `startServer`. */
  readonly server: ProcessSpec;
  /** The load-generator process; its module exports `createCaller`. */
  readonly client: ProcessSpec;
  /**
   * Server processes to fork from `server` (default 1); the client gets every process's ports in
   * order, and their reports are added up (CPU, counters, RSS) or, for stalls, the worst one kept.
   */
  readonly serverProcesses?: number;
  /**
   * Id of the contender whose process pair this one runs in, whenever both are run together (an
   * interleaved group): the same server and load-generator processes, this contender's phases told
   * apart by {@link callArgs} only; its `server` and `client` must then be the host's. Run without
   * the host, it gets a pair of its own from `server` and `client`.
   */
  readonly pairOf?: string;
  /** Call arguments added to every phase this contender runs (over the phase's own), e.g. a reading style. */
  readonly callArgs?: JsonObject;
}

/** A bounded load phase run by the load generator. */
export interface LoadPhase {
  /**
   * Calls in flight at once (closed loop); with `arrivalPerSec`, the most calls outstanding at
   * once (an arrival beyond it is counted failed, not sent).
   */
  readonly concurrency: number;
  /**
   * Open loop: start calls at this rate for `durationMs` whatever the answers (arrivals at 1 ms
   * granularity); errors do not fail the phase but are counted (see {@link OpenLoopCounts}).
   */
  readonly arrivalPerSec?: number;
  /** Stop starting calls after this long; omit to stop on `maxCalls` only. */
  readonly durationMs?: number;
  /** Stop starting calls after this many; omit to stop on `durationMs` only. */
  readonly maxCalls?: number;
  /** The whole phase fails if it is not over after this long. */
  readonly timeoutMs: number;
  /** Arguments passed to every call (e.g. the stream length). */
  readonly callArgs: JsonObject;
}

/** One measured point of a scenario (e.g. concurrency 16), the same for every contender. */
export interface Point {
  /** Stable id, used in file names, e.g. "c16". */
  readonly id: string;
  /** Label for tables and charts, e.g. "16 in flight". */
  readonly label: string;
  /** Ids of the only contenders measured at this point (omitted: every contender). */
  readonly contenders?: readonly string[];
  /**
   * Of the scenario's interleaved group, the ids of those measured here in alternating slices
   * (omitted: all that take the point); the others are measured in one piece, before the slices.
   * For a contender whose calls outlast a slice (a slice's last call runs to its end).
   */
  readonly sliced?: readonly string[];
  /**
   * Of the contenders that run in another's process pair ({@link Contender.pairOf}), those measured
   * at this point in a fresh pair of their own (started, warmed up, measured, stopped): for a
   * process-wide figure, such as peak RSS, that the host's phases would leave their mark on.
   */
  readonly freshPairs?: readonly string[];
  /**
   * Sent to the server module's `configure` (if it has one) before this point's warm-up, e.g. to
   * make a backend slow; a server without `configure` fails the point.
   */
  readonly server?: JsonObject;
  /** Short warm-up at this point's load before measuring. */
  readonly warmup?: LoadPhase;
  /** The measured phase. */
  readonly measure: LoadPhase;
}

/** Options a scenario is built for. */
export interface ScenarioMode {
  /** Short smoke run: checks that it works, not how fast. */
  readonly quick: boolean;
  /** Overrides the measured duration of duration-bound points, in ms. */
  readonly durationMs?: number;
}

/**
 * What the report shows for a scenario: request latency tables (`unary`), message throughput
 * (`stream`), request latency with the share of calls each backend received (`balance`), goodput
 * and rejections of an open-loop load (`overload`), or request latency with the attempts the
 * backends saw per call (`attempts`: retries and hedges).
 */
export type ScenarioKind = "unary" | "stream" | "balance" | "overload" | "attempts";

/** A goal recorded beside the figures, evaluated on the aggregated results. */
export interface Goal {
  /** What is promised, e.g. "Sluice (1 endpoint) ≥ 0.95× Connect-ES req/s at every concurrency". */
  readonly description: string;
  /** Verdict with the figures that decide it; `met: undefined` when a contender is missing. */
  evaluate(results: ScenarioResults): { met: boolean | undefined; detail: string };
}

/**
 * Contenders measured side by side: their process pairs run at once, and each duration-bound point
 * they share is measured in alternating slices (`slices` rounded up to whole cycles of balanced
 * orders, the point's duration split evenly), so a drift of a shared machine hits them alike; a
 * point may slice only some of them ({@link Point.sliced}).
 */
export interface InterleavedGroup {
  readonly contenders: readonly string[];
  /** Slices per contender and point, at least (full run, --quick). */
  readonly slices: readonly [full: number, quick: number];
}

/** A benchmark scenario: contenders × points, measured in separate processes. */
export interface Scenario {
  /** Name used on the command line, e.g. "unary". */
  readonly name: string;
  /** One-line title for the report. */
  readonly title: string;
  /** A paragraph for the report: what is measured and how. */
  readonly description: string;
  /** How figures are shown. */
  readonly kind: ScenarioKind;
  /** Contenders, in table order. */
  readonly contenders: readonly Contender[];
  /** Ids of the anchors every row is compared with (ratio columns). */
  readonly anchors: readonly string[];
  /** The points measured for each contender, in order. */
  points(mode: ScenarioMode): readonly Point[];
  /** Warm-up run once per contender process pair, before the first point. */
  warmup(mode: ScenarioMode): LoadPhase;
  /** Goals recorded beside the figures. */
  readonly goals: readonly Goal[];
  /** Contenders measured side by side in alternating slices (the rest: one process pair at a time). */
  readonly interleaved?: InterleavedGroup;
}

/** CPU time of a process over a window, in microseconds. */
export interface CpuTime {
  readonly userUs: number;
  readonly systemUs: number;
}

/** What stalled a process over a window (see stall-meter.ts). */
export interface StallReport {
  /** 99th percentile of the event loop's delay beyond the 20 ms sampling period, ms. */
  readonly loopDelayP99Ms: number;
  /** Longest event-loop delay seen, ms. */
  readonly loopDelayMaxMs: number;
  /** Longest GC pause, ms. */
  readonly gcPauseMaxMs: number;
  /** GC pauses per second of the window, ms/s. */
  readonly gcPauseMsPerS: number;
  /** Time the main thread was runnable but waited for a CPU, ms per second of the window (Linux only). */
  readonly runQueueWaitMsPerS?: number;
}

/** What a process reports about a measured window. */
export interface ResourceReport {
  readonly cpu: CpuTime;
  /** Largest resident set size sampled in the window, bytes. */
  readonly peakRssBytes: number;
  /** What stalled the process in the window (absent in results saved before it was measured). */
  readonly stalls?: StallReport;
}

/**
 * Counters a server module keeps over a measured window, in named groups, e.g.
 * `{ window: { "fast-1": 812, slow: 20 } }`; the report shows each counter's share of its group.
 */
export type ServerCounters = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** Time series a server module samples over a window: name → [ms since the window opened, value]. */
export type ServerSeries = Readonly<Record<string, ReadonlyArray<readonly [number, number]>>>;

/** What the server process reports about a measured window. */
export interface ServerReport extends ResourceReport {
  /** The server module's counters over the window, if it keeps any. */
  readonly counters?: ServerCounters;
  /** The server module's gauges at the end of the window (e.g. its concurrency limit), if any. */
  readonly gauges?: Readonly<Record<string, number>>;
  /** The server module's time series over the window, if any. */
  readonly series?: ServerSeries;
}

/** How the calls of an open-loop phase ended. */
export interface OpenLoopCounts {
  /** Calls the schedule asked for. */
  readonly offered: number;
  /** Calls answered with RESOURCE_EXHAUSTED (shed). */
  readonly rejected: number;
  /** Calls that ended in any other error (deadline, reset), or were not sent (too many outstanding). */
  readonly failed: number;
  /** Time to a rejection in µs, hdr-histogram-js compressed base64. */
  readonly rejectHistogram: string;
  /** Of `rejected`, calls shed in the load generator's own process by the caller's limiter (absent: the caller keeps none). */
  readonly callerRejected?: number;
  /** The caller's own concurrency limit when the arrival window ended (absent: it keeps none). */
  readonly callerLimitAtEnd?: number;
  /** Time to a rejection at the caller in µs, hdr-histogram-js compressed base64 (present with `callerRejected`). */
  readonly callerRejectHistogram?: string;
  /** Time to a rejection answered by the server in µs, likewise (present with `callerRejected`). */
  readonly serverRejectHistogram?: string;
}

/** What the load generator returns for one phase. */
export interface PhaseResult {
  readonly calls: number;
  readonly messages: number;
  readonly elapsedMs: number;
  /** Latency histogram in µs, hdr-histogram-js compressed base64 (successful calls only in an open loop). */
  readonly histogram: string;
  readonly resources: ResourceReport;
  /** Outcomes of an open-loop phase (absent for closed loops). */
  readonly openLoop?: OpenLoopCounts;
}

/** One measured (run, contender, point). */
export interface Sample {
  readonly run: number;
  readonly contender: string;
  readonly point: string;
  readonly client: PhaseResult;
  readonly server: ServerReport;
}

/** Median figures of one (contender, point) over the runs. */
export interface Figure {
  readonly contender: string;
  readonly point: string;
  readonly runs: number;
  readonly callsPerSec: number;
  readonly messagesPerSec: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  readonly clientCpuUsPerCall: number;
  readonly serverCpuUsPerCall: number;
  readonly clientCpuUsPerMessage: number;
  readonly serverCpuUsPerMessage: number;
  readonly clientPeakRssBytes: number;
  readonly serverPeakRssBytes: number;
  /** Median over runs of the load generator's stalls (absent when not measured). */
  readonly clientStalls?: StallReport;
  /** Median over runs of the server processes' stalls (the worst process of each run). */
  readonly serverStalls?: StallReport;
  /**
   * Median over runs of each server counter's share of its group (0..1), e.g.
   * `{ window: { slow: 0.02, … } }`; absent when the server keeps no counters.
   */
  readonly counterShares?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** CDF of all runs merged: [latency µs, cumulative fraction]. */
  readonly cdf: ReadonlyArray<readonly [number, number]>;
  /** Medians over runs of an open-loop phase's outcomes (absent for closed loops). */
  readonly openLoop?: OpenLoopFigure;
  /** Median over runs of each server gauge. */
  readonly gauges?: Readonly<Record<string, number>>;
  /** The server's time series of the first run, in results saved before `runSeries` (read them with `seriesOfRuns`). */
  readonly series?: ServerSeries;
  /** The server's time series of every run, in run order (read them with `seriesOfRuns`). */
  readonly runSeries?: readonly ServerSeries[];
  /** msgs/s of each run: [run number, msgs/s], in run order (absent in results saved before it was kept). */
  readonly runMessagesPerSec?: ReadonlyArray<readonly [run: number, messagesPerSec: number]>;
}

/** Median figures of an open-loop phase. */
export interface OpenLoopFigure {
  readonly offeredPerSec: number;
  /** Successful calls per second of the arrival window. */
  readonly goodputPerSec: number;
  readonly rejectedShare: number;
  readonly failedShare: number;
  readonly rejectP50Us: number;
  readonly rejectP99Us: number;
  /** Median over runs of the caller's own limit when the arrival window ended (absent: it keeps none). */
  readonly callerLimitAtEnd?: number;
  /** Share of offered calls shed at the caller (absent when the caller cannot tell where a shed happened). */
  readonly callerRejectedShare?: number;
  /** p50 / p99 of the time to a shed at the caller, µs (absent when none happened there). */
  readonly callerRejectP50Us?: number;
  readonly callerRejectP99Us?: number;
  /** p50 / p99 of the time to a shed answered by the server, as the caller saw it, µs (absent when the split is not kept or none happened). */
  readonly serverRejectP50Us?: number;
  readonly serverRejectP99Us?: number;
  /** The load generator's CPU time (from the window's start until its last call ended) per second of the arrival window, as a share of one core; any call counts, successful or not (absent in results saved before it was kept). */
  readonly clientCpuShare?: number;
  /** The server's CPU time over its measured window per second of the arrival window, as a share of one core (absent in results saved before it was kept). */
  readonly serverCpuShare?: number;
}

/** Facts about the run that produced a scenario's figures. */
export interface RunEnvironment {
  readonly date: string;
  readonly command: string;
  readonly node: string;
  readonly cores: number;
  readonly cpuModel: string;
  readonly loadAverage: readonly number[];
  /** Share of the machine's CPU time the hypervisor gave to other guests during the scenario, % (absent off Linux and in older results). */
  readonly stealPercent?: number;
  readonly packages: Readonly<Record<string, string>>;
  readonly runs: number;
  readonly quick: boolean;
  /** Node flags every server and load-generator process was started with (--node-flags; absent: none). */
  readonly nodeFlags?: readonly string[];
}

/** Everything the report needs about one scenario. */
export interface ScenarioResults {
  readonly scenario: string;
  readonly environment: RunEnvironment;
  /**
   * The scenario's description as it stood when these results were measured (the report shows it,
   * so a later change of the scenario does not relabel older figures); absent in results saved
   * before it was kept, where the report falls back to the current description.
   */
  readonly description?: string;
  readonly contenders: ReadonlyArray<{ readonly id: string; readonly label: string }>;
  readonly points: ReadonlyArray<{ readonly id: string; readonly label: string; readonly contenders?: readonly string[] }>;
  readonly figures: readonly Figure[];
  /** Contender runs that failed, with the error. */
  readonly failures: ReadonlyArray<{ readonly contender: string; readonly run: number; readonly error: string }>;
}

// The server's admission decision for each call, before its body is read: rate limits, then the
// method's and the server's concurrency limits; the ticket of an admitted call carries its outcome
// back to the limiters and the load report.
import { Code } from "@connectrpc/connect";
import { createKeyedTokenBuckets, type KeyedTokenBuckets } from "../../limit/keyed-token-buckets.js";
import type { Limiter, LimiterStats, Token } from "../../limit/limiter.js";
import { createLoadReporter, type CpuUsage, type LoadReport } from "../../limit/load-report.js";
import { formatLoadReport } from "../../limit/load-report-format.js";
import { numberOption } from "../../limit/validate.js";
import { createInFlightAverage, type InFlightMark } from "../../limit/in-flight-average.js";
import type { Schedule } from "../../limit/wait-queue.js";
import type { MethodLimitsOptions, ServerLimitsOptions } from "./admission-options.js";
import { createLimitSet, createMethodLimits, type LimitSet } from "./method-limits.js";

/** What the controller needs to know of a call. */
export interface AdmissionRequest {
  /** `:path`, e.g. `"/pkg.Service/Method"`. */
  readonly path: string;
  /** A request header's value. */
  header(name: string): string | undefined;
  /** The peer's address (the caller key when no caller header is configured or sent). */
  readonly peer: string | undefined;
  /** Aborts a wait in a queue (the client went away). */
  readonly signal?: AbortSignal;
}

/** How an admitted call ended, for the limiters: a latency sample, a drop, or nothing. */
export type CallOutcome = "success" | "dropped" | "ignore";

/** An admitted call's hold on the limits; finish it exactly once. */
export interface AdmissionTicket {
  /** Releases the call's slots; `error` counts it in the load report's errors per second. */
  finish(outcome: CallOutcome, error: boolean): void;
}

/** A refusal: the status and retry hint to answer with. */
export interface Shed {
  readonly code: Code;
  readonly message: string;
  /** Milliseconds the client should wait before retrying (`grpc-retry-pushback-ms`). */
  readonly pushbackMs: number;
}

/** The decision on one call: a ticket, or why it was shed. */
export type Admission = { readonly ticket: AdmissionTicket; readonly shed?: undefined } | { readonly ticket?: undefined; readonly shed: Shed };

/** `server.limits`: the current state of admission. */
export interface ServerLimitsStats {
  /** Server-wide concurrency algorithm and limit (absent without `limits.concurrency`). */
  readonly algorithm?: string;
  readonly limit?: number;
  /** Calls admitted and not yet finished (all methods). */
  readonly inFlight: number;
  /** Calls waiting in queues now. */
  readonly queued: number;
  /** Calls refused by a concurrency limit (at once or after waiting). */
  readonly shed: number;
  /** Calls refused by a rate limit. */
  readonly rateLimited: number;
  /** Calls admitted since the server started. */
  readonly admitted: number;
  /** The server-wide limiter's partitions, if any. */
  readonly partitions?: LimiterStats["partitions"];
  /** Per `limits.methods` entry with a concurrency limit. */
  readonly methods: Readonly<Record<string, LimiterStats>>;
  /** The load report now. */
  readonly load: LoadReport;
}

/** The admission controller of one server. */
export interface AdmissionController {
  /** Whether `path` bypasses admission (health checks by default). */
  exempt(path: string): boolean;
  /** Decides on a call: synchronously, or after a wait in a queue when one is configured. */
  admit(request: AdmissionRequest): Admission | Promise<Admission>;
  /** The `sluice-load` value to attach now (with `shed`, `util` is the calls in flight now, not the average), or undefined when load reports are off. */
  loadReport(shed?: boolean): string | undefined;
  /** True unless `limits.loadReport` is false. */
  readonly reporting: boolean;
  /**
   * The report for an out-of-band stream: `util` is the average calls in flight (queued in
   * handlers included) from `since` to now ÷ the server's concurrency limit, or the calls in flight
   * now without `since`. Pass the returned mark as the next call's `since`.
   */
  outOfBandReport(since: InFlightMark | undefined): { readonly report: LoadReport; readonly mark: InFlightMark };
  /**
   * Calls `listener` with the utilization now (calls in flight ÷ the server's concurrency limit)
   * after every admission and every finish, until the returned function is called; never without
   * `limits.concurrency`.
   */
  watchUtilization(listener: (utilization: number) => void): () => void;
  stats(): ServerLimitsStats;
}

/** Clock, CPU, randomness and timers of the controller. */
export interface AdmissionEnv {
  readonly now: () => number;
  readonly cpuUsage?: CpuUsage;
  readonly random?: () => number;
  readonly schedule?: Schedule;
}

/** Completes a limiter token (if any) with a call's outcome. */
function complete(token: Token | undefined, outcome: CallOutcome): void {
  if (outcome === "success") token?.success();
  else if (outcome === "dropped") token?.dropped();
  else token?.ignore();
}

const defaultExempt = ["/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"];
/** The out-of-band load-report stream: never limited and never counted in flight, whatever `exempt` says (it would count itself). */
export const loadReportStreamPath = "/sluice.v1.LoadReportService/StreamLoadReports";

/**
 * Creates the admission controller for `serve({ limits })`, validating every option; `declared`
 * holds the limits the services declare in their .proto, by method path (see `declaredLimits`).
 * @throws Error naming the field (`limits.concurrency.maxLimit: …`) when a setting is out of range.
 */
export function createAdmissionController(
  options: ServerLimitsOptions,
  env: AdmissionEnv,
  declared: ReadonlyMap<string, MethodLimitsOptions> = new Map(),
): AdmissionController {
  if (options === null || typeof options !== "object") throw new Error("limits: must be an object");
  const shedCode = options.shedCode ?? Code.ResourceExhausted;
  if (shedCode !== Code.ResourceExhausted && shedCode !== Code.Unavailable) {
    throw new Error(`limits.shedCode: must be Code.ResourceExhausted (8) or Code.Unavailable (14), got ${String(options.shedCode)}`);
  }
  const fixedPushback =
    options.retryPushbackMs === undefined ? undefined : numberOption("limits.retryPushbackMs", options.retryPushbackMs, 0, { min: 0, integer: true });
  const partitionBy = options.partitions?.by;
  if (partitionBy !== undefined && partitionBy !== "method" && typeof partitionBy?.header !== "string") {
    throw new Error(`limits.partitions.by: must be "method" or { header: "<name>" }`);
  }
  const server: LimitSet = createLimitSet(
    "*",
    options,
    env,
    "limits",
    options.partitions === undefined ? undefined : { shares: options.partitions.shares, partitionOf: (context) => context },
  );
  if (options.declaredLimits !== undefined && typeof options.declaredLimits !== "boolean") {
    throw new Error(`limits.declaredLimits: must be a boolean, got ${String(options.declaredLimits)}`);
  }
  const methodLimits = createMethodLimits(options.methods, env, options.declaredLimits === false ? undefined : declared);
  const callerHeader = options.callerRate?.header?.toLowerCase();
  let callers: KeyedTokenBuckets | undefined;
  if (options.callerRate !== undefined) {
    try {
      callers = createKeyedTokenBuckets({ ...options.callerRate, now: env.now });
    } catch (error) {
      throw new Error(`limits.callerRate.${(error as Error).message}`);
    }
  }
  const reportOptions = typeof options.loadReport === "object" ? options.loadReport : {};
  const reporter = createLoadReporter({ ...reportOptions, now: env.now, cpuUsage: env.cpuUsage });
  const reporting = options.loadReport !== false;
  const exemptPaths = new Set(options.exempt ?? defaultExempt);
  // Every method limiter is in the stats from the start, not only once a call reached it.
  const methodStats = new Map<string, Limiter<string>>();
  for (const set of methodLimits.sets) if (set.limiter !== undefined) methodStats.set(set.key, set.limiter);
  const calls = createInFlightAverage(env.now);
  const utilizationListeners = new Set<(utilization: number) => void>();
  const tellUtilization = (): void => {
    const limit = server.limiter?.limit;
    if (limit === undefined) return;
    for (const listener of utilizationListeners) listener(calls.inFlight / limit);
  };
  let admitted = 0;
  /** Calls ended so far: a shed's cached load report is stale once another ends. */
  let ended = 0;
  /** The last shed answer's load report and what it was computed from (see `loadReport`). */
  let shedReport: { text: string; ms: number; inFlight: number; limit: number | undefined; ended: number } | undefined;
  let rateLimited = 0;

  const partitionContext = (request: AdmissionRequest): string =>
    partitionBy === undefined || partitionBy === "method" ? request.path : (request.header(partitionBy.header.toLowerCase()) ?? "");

  const rateShed = (waitMs: number, what: string): Admission => {
    rateLimited++;
    return { shed: { code: shedCode, message: `rate limit exceeded (${what})`, pushbackMs: Math.max(1, Math.ceil(waitMs)) } };
  };
  /** The last concurrency refusal per limit (`what`): handed out again while its retry hint holds, so a burst of sheds allocates nothing here. */
  const concurrencySheds = new Map<string, Admission>();
  const concurrencyShed = (what: string): Admission => {
    const pushbackMs = fixedPushback ?? Math.max(1, Math.ceil(reporter.latencyMs() ?? 1));
    const last = concurrencySheds.get(what);
    if (last?.shed?.pushbackMs === pushbackMs) return last;
    const admission: Admission = { shed: { code: shedCode, message: `concurrency limit reached (${what})`, pushbackMs } };
    concurrencySheds.set(what, admission);
    return admission;
  };

  const ticketFor = (methodToken: Token | undefined, serverToken: Token | undefined): Admission => {
    const start = env.now();
    calls.change(+1, start);
    admitted++;
    if (utilizationListeners.size > 0) tellUtilization();
    let done = false;
    return {
      ticket: {
        finish(outcome, error) {
          if (done) return;
          done = true;
          const end = env.now();
          calls.change(-1, end);
          if (utilizationListeners.size > 0) tellUtilization();
          complete(methodToken, outcome);
          complete(serverToken, outcome);
          reporter.onCallEnd(end - start, error);
          ended++;
        },
      },
    };
  };

  const rateCheck = (request: AdmissionRequest, method: LimitSet | undefined): Admission | undefined => {
    if (server.bucket !== undefined && !server.bucket.tryTake()) return rateShed(server.bucket.msUntil(), "server");
    if (callers !== undefined) {
      const key = (callerHeader !== undefined ? request.header(callerHeader) : undefined) ?? request.peer ?? "";
      if (!callers.tryTake(key)) return rateShed(callers.msUntil(key), "caller");
    }
    if (method?.bucket !== undefined && !method.bucket.tryTake()) return rateShed(method.bucket.msUntil(), method.key);
    return undefined;
  };

  const admitQueued = async (request: AdmissionRequest, method: LimitSet | undefined, context: string): Promise<Admission> => {
    const methodToken = method?.limiter === undefined ? undefined : await method.limiter.acquire(context, request.signal);
    if (method?.limiter !== undefined && methodToken === undefined) return concurrencyShed(method.key);
    const serverToken = server.limiter === undefined ? undefined : await server.limiter.acquire(context, request.signal);
    if (server.limiter !== undefined && serverToken === undefined) {
      methodToken?.ignore();
      return concurrencyShed("server");
    }
    return ticketFor(methodToken, serverToken);
  };

  /**
   * The report with `util` = average calls in flight ÷ limit over the report's window, by Little's
   * law (qps × handler latency), or the calls in flight now before a latency is known. The average
   * does not swing with the instant a response happens to be written, as a count taken then does.
   */
  const reportWithUtilization = (limit: number | undefined, instant = false): LoadReport => {
    if (limit === undefined) return reporter.report(undefined);
    const plain = reporter.report(undefined);
    const util = plain.latMs !== undefined && !instant ? (plain.qps * plain.latMs) / 1000 / limit : server.limiter!.inFlight / limit;
    return { ...plain, util };
  };

  return {
    exempt(path) {
      return exemptPaths.has(path) || path === loadReportStreamPath;
    },
    admit(request) {
      const method = methodLimits.lookup(request.path);
      const rateRefusal = rateCheck(request, method);
      if (rateRefusal !== undefined) return rateRefusal;
      const context = partitionContext(request);
      if (server.queued || method?.queued === true) return admitQueued(request, method, context);
      const methodToken = method?.limiter?.tryAcquire(context);
      if (method?.limiter !== undefined && methodToken === undefined) return concurrencyShed(method.key);
      const serverToken = server.limiter?.tryAcquire(context);
      if (server.limiter !== undefined && serverToken === undefined) {
        methodToken?.ignore();
        return concurrencyShed("server");
      }
      return ticketFor(methodToken, serverToken);
    },
    loadReport(shed = false) {
      if (!reporting) return undefined;
      const limit = server.limiter?.limit;
      if (!shed) return formatLoadReport(reportWithUtilization(limit, false));
      // Sheds come in bursts (every call a read brings in past the limit): within one millisecond,
      // with the same calls in flight, the same limit and no call ended, the report is the same.
      const ms = Math.floor(env.now());
      const c = shedReport;
      const inFlight = calls.inFlight;
      if (c !== undefined && c.ms === ms && c.inFlight === inFlight && c.limit === limit && c.ended === ended) return c.text;
      const text = formatLoadReport(reportWithUtilization(limit, true));
      shedReport = { text, ms, inFlight, limit, ended };
      return text;
    },
    reporting,
    watchUtilization(listener) {
      utilizationListeners.add(listener);
      return () => utilizationListeners.delete(listener);
    },
    outOfBandReport(since) {
      const { average, mark } = calls.averageSince(since);
      const limit = server.limiter?.limit;
      const plain = reporter.report(undefined);
      return { report: limit === undefined ? plain : { ...plain, util: average / limit }, mark };
    },
    stats() {
      const s = server.limiter?.stats();
      const methods: Record<string, LimiterStats> = {};
      let queued = s?.queued ?? 0;
      let shed = s?.shed ?? 0;
      for (const [key, limiter] of methodStats) {
        const m = limiter.stats();
        methods[key] = m;
        queued += m.queued;
        shed += m.shed;
      }
      const limit = server.limiter?.limit;
      return {
        ...(s !== undefined ? { algorithm: s.algorithm, limit: s.limit } : {}),
        inFlight: calls.inFlight,
        queued,
        shed,
        rateLimited,
        admitted,
        ...(s?.partitions !== undefined ? { partitions: s.partitions } : {}),
        methods,
        load: reportWithUtilization(limit),
      };
    },
  };
}

// Runs a scenario: for each run and contender (or interleaved group of contenders), fork server(s) and
// load generator (one pair for contenders that share it), warm up, measure each point (a group's
// shared points in alternating slices).
import type { Progress } from "./progress.js";
import type { Contender, LoadPhase, PhaseResult, Point, Sample, Scenario, ScenarioMode, ServerReport } from "./scenario.js";
import { startWorker, type WorkerHandle } from "./worker-handle.js";
import { startServerGroup, type ServerGroup } from "./server-group.js";
import { pairHosts, phaseFor } from "./pair-plan.js";
import { mergeSliceReports, mergeSliceResults, sliceCount, sliceOrder } from "./slices.js";

/** How a scenario is run. */
export interface RunOptions {
  readonly mode: ScenarioMode;
  /** Runs per figure (the report shows medians). */
  readonly runs: number;
  /** Node flags for every server and load-generator process, after each contender's own (--node-flags). */
  readonly nodeFlags?: readonly string[];
  /** Directory for CPU profiles of both processes (`node --cpu-prof`), if wanted. */
  readonly cpuProfileDir?: string;
  readonly progress: Progress;
}

/** Samples and failed contender runs of one scenario. */
export interface RunOutcome {
  readonly samples: Sample[];
  readonly failures: Array<{ contender: string; run: number; error: string }>;
}

/** Time a worker may take to start, connect, stop, mark or report. */
const CONTROL_TIMEOUT_MS = 30_000;
/** Allowance over a phase's own timeout for IPC and histogram encoding. */
const PHASE_SLACK_MS = 10_000;
/** Rough cost of forking and connecting two processes, for the progress estimate. */
const STARTUP_ESTIMATE_MS = 1_000;

function expectedMs(phase: LoadPhase): number {
  return phase.durationMs ?? Math.min(phase.timeoutMs, 10_000);
}

/** The points `contender` is measured at (a point may name the only contenders it takes). */
export function pointsOf(points: readonly Point[], contender: Contender): Point[] {
  return points.filter((p) => p.contenders === undefined || p.contenders.includes(contender.id));
}

/** Planned wall time of a scenario, for the progress line. */
export function plannedMs(scenario: Scenario, options: Pick<RunOptions, "mode" | "runs">): number {
  const points = scenario.points(options.mode);
  const perRun = scenario.contenders.reduce(
    (sum, contender) =>
      sum +
      STARTUP_ESTIMATE_MS +
      expectedMs(scenario.warmup(options.mode)) +
      pointsOf(points, contender).reduce((s, p) => s + (p.warmup ? expectedMs(p.warmup) : 0) + expectedMs(p.measure), 0),
    0,
  );
  return perRun * options.runs;
}

/** One contender's running process pair: its own, or its host's ({@link Contender.pairOf}). */
interface Pair {
  readonly contender: Contender;
  readonly tag: string;
  readonly server: ServerGroup;
  readonly client: WorkerHandle;
  /** The contender runs in its host's processes (it neither started nor stops them). */
  readonly guest: boolean;
}

/** Runs `phase` as `pair`'s contender (its call arguments added) on the pair's load generator. */
async function runPhase(pair: Pair, phase: LoadPhase) {
  return pair.client.request({ op: "phase", phase: phaseFor(pair.contender, phase) }, phase.timeoutMs + PHASE_SLACK_MS);
}

function tagOf(scenario: Scenario, contender: Contender, run: number, options: RunOptions): string {
  return `${scenario.name} run ${run}/${options.runs} (${contender.id}) ${contender.label}`;
}

/** Forks `contender`'s server(s) and load generator and connects them; stops what started on failure. */
async function startPair(scenario: Scenario, contender: Contender, run: number, options: RunOptions): Promise<Pair> {
  const tag = tagOf(scenario, contender, run, options);
  options.progress.step(`${tag}: starting`, STARTUP_ESTIMATE_MS);
  const profile = (role: string): string[] =>
    options.cpuProfileDir
      ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=${scenario.name}-${contender.id}-run${run}-${role}.cpuprofile`]
      : [];
  const processes = contender.serverProcesses ?? 1;
  const runFlags = options.nodeFlags ?? [];
  const server = startServerGroup(contender.server, processes, (i) => [
    ...(contender.server.execArgv ?? []),
    ...runFlags,
    ...profile(processes === 1 ? "server" : `server${i}`),
  ]);
  let client: WorkerHandle | undefined;
  try {
    const ports = await server.start(CONTROL_TIMEOUT_MS);
    client = startWorker([...(contender.client.execArgv ?? []), ...runFlags, ...profile("client")]);
    await client.request({ op: "create-caller", spec: contender.client, ports }, CONTROL_TIMEOUT_MS);
    return { contender, tag, server, client, guest: false };
  } catch (error) {
    await stopPair({ server, client });
    throw error;
  }
}

async function stopPair(pair: { readonly server: ServerGroup; readonly client: WorkerHandle | undefined }): Promise<void> {
  await pair.client?.stop(5_000);
  await pair.server.stop(5_000);
}

/** Measures `phase` once on `pair`: the load generator's result and the server's report of the window. */
async function measure(pair: Pair, phase: LoadPhase): Promise<{ client: PhaseResult; server: ServerReport }> {
  await pair.server.mark(CONTROL_TIMEOUT_MS);
  const client = await runPhase(pair, phase);
  return { client, server: await pair.server.report(CONTROL_TIMEOUT_MS) };
}

/** The scenario's warm-up, once per contender (a guest warms up its own calls in its host's pair). */
async function warmUp(scenario: Scenario, pair: Pair, options: RunOptions): Promise<void> {
  const warmup = scenario.warmup(options.mode);
  options.progress.step(`${pair.tag}: warm-up`, expectedMs(warmup));
  await runPhase(pair, warmup);
}

/** The point's own warm-up on `pair`, if it has one. */
async function warmUpPoint(pair: Pair, point: Point, options: RunOptions): Promise<void> {
  if (point.warmup === undefined) return;
  options.progress.step(`${pair.tag} ${point.label}: warm-up`, expectedMs(point.warmup));
  await runPhase(pair, point.warmup);
}

/**
 * Measures `point` for a guest contender in a fresh process pair of its own ({@link Point.freshPairs}):
 * started, given the scenario's warm-up and the point's, measured in one piece, stopped.
 */
async function measureInFreshPair(scenario: Scenario, contender: Contender, point: Point, run: number, options: RunOptions) {
  const pair = await startPair(scenario, contender, run, options);
  try {
    await warmUp(scenario, pair, options);
    if (point.server !== undefined) await pair.server.configure(point.server, CONTROL_TIMEOUT_MS);
    await warmUpPoint(pair, point, options);
    options.progress.step(`${pair.tag} ${point.label}: measuring in a pair of its own`, expectedMs(point.measure));
    return await measure(pair, point.measure);
  } finally {
    await stopPair(pair);
  }
}

/**
 * Runs `contenders` (one, or an interleaved group) through `points`: their process pairs started
 * together (one for a contender and the guests that run in its pair: {@link pairHosts}) and warmed
 * up, contender by contender, then at each point every contender that takes it is configured and
 * warmed up, and measured in one piece, or — for a duration-bound closed-loop point shared by several
 * that it slices ({@link Point.sliced}) — in `slices` or more alternating slices of the point's
 * duration (whole cycles of balanced orders: {@link sliceOrder}), added up into one sample per
 * contender; a guest the point names in {@link Point.freshPairs} is measured in a pair of its own.
 */
async function runTogether(scenario: Scenario, contenders: readonly Contender[], points: readonly Point[], run: number, slices: number, options: RunOptions): Promise<Sample[]> {
  const samples: Sample[] = [];
  const hosts = pairHosts(contenders);
  const owners = new Map<string, Pair>();
  try {
    for (const contender of contenders) {
      if (hosts.get(contender.id) === contender.id) owners.set(contender.id, await startPair(scenario, contender, run, options));
    }
    const pairs = contenders.map((contender): Pair => {
      const owner = owners.get(hosts.get(contender.id)!)!;
      if (owner.contender === contender) return owner;
      return { ...owner, contender, tag: `${tagOf(scenario, contender, run, options)} [in (${owner.contender.id})'s processes]`, guest: true };
    });
    for (const pair of pairs) await warmUp(scenario, pair, options);
    for (const point of points) {
      const taking = pairs.filter((pair) => pointsOf([point], pair.contender).length > 0);
      const apart = taking.filter((pair) => pair.guest && point.freshPairs?.includes(pair.contender.id) === true);
      const here = taking.filter((pair) => !apart.includes(pair));
      // A shared server is configured once.
      const configured = new Set<ServerGroup>();
      for (const pair of here) {
        if (point.server !== undefined && !configured.has(pair.server)) {
          configured.add(pair.server);
          await pair.server.configure(point.server, CONTROL_TIMEOUT_MS);
        }
        await warmUpPoint(pair, point, options);
      }
      const { durationMs, arrivalPerSec } = point.measure;
      const candidates = here.filter((pair) => point.sliced === undefined || point.sliced.includes(pair.contender.id));
      const sliceable = candidates.length > 1 && slices > 1 && durationMs !== undefined && arrivalPerSec === undefined && point.measure.maxCalls === undefined;
      const sliced = sliceable ? candidates : [];
      const count = sliceCount(Math.max(1, sliced.length), slices);
      for (const pair of here) {
        if (sliced.includes(pair)) continue;
        options.progress.step(`${pair.tag} ${point.label}: measuring`, expectedMs(point.measure));
        samples.push({ run, contender: pair.contender.id, point: point.id, ...(await measure(pair, point.measure)) });
      }
      for (const pair of apart) {
        samples.push({ run, contender: pair.contender.id, point: point.id, ...(await measureInFreshPair(scenario, pair.contender, point, run, options)) });
      }
      if (sliced.length === 0) continue;
      const slice: LoadPhase = { ...point.measure, durationMs: durationMs! / count };
      const parts = new Map<Pair, Array<{ client: PhaseResult; server: ServerReport }>>(sliced.map((pair) => [pair, []]));
      options.progress.step(`${scenario.name} run ${run}/${options.runs} (${sliced.map((p) => p.contender.id).join(", ")}) ${point.label}: measuring in ${count} slices each`, expectedMs(point.measure) * sliced.length);
      for (let i = 0; i < count; i++) {
        for (const k of sliceOrder(sliced.length, i)) {
          const pair = sliced[k]!;
          parts.get(pair)!.push(await measure(pair, slice));
        }
      }
      for (const pair of sliced) {
        const measured = parts.get(pair)!;
        samples.push({
          run,
          contender: pair.contender.id,
          point: point.id,
          client: mergeSliceResults(measured.map((m) => m.client)),
          server: mergeSliceReports(measured.map((m) => m.server)),
        });
      }
    }
  } finally {
    for (const owner of owners.values()) await stopPair(owner);
  }
  return samples;
}

/**
 * Runs every contender of the scenario `runs` times, interleaved (run 1 of all contenders,
 * then run 2, with the order rotated each run) so slow drifts of a shared machine spread evenly.
 */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunOutcome> {
  const points = scenario.points(options.mode);
  const outcome: RunOutcome = { samples: [], failures: [] };
  const n = scenario.contenders.length;
  const group = scenario.interleaved;
  const grouped = (c: Contender): boolean => group?.contenders.includes(c.id) === true;
  const slices = group === undefined ? 1 : options.mode.quick ? group.slices[1] : group.slices[0];
  for (let run = 1; run <= options.runs; run++) {
    let groupDone = false;
    for (let k = 0; k < n; k++) {
      const contender = scenario.contenders[(k + run - 1) % n]!;
      // An interleaved group runs as one, where its first member comes in this run's order.
      if (grouped(contender) && groupDone) continue;
      const members = grouped(contender) ? scenario.contenders.filter(grouped) : [contender];
      if (grouped(contender)) groupDone = true;
      const memberPoints = points.filter((p) => members.some((m) => pointsOf([p], m).length > 0));
      try {
        outcome.samples.push(...(await runTogether(scenario, members, memberPoints, run, slices, options)));
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        for (const member of members) {
          outcome.failures.push({ contender: member.id, run, error });
          options.progress.note(`FAILED ${scenario.name} (${member.id}) ${member.label}, run ${run}: ${error}`);
        }
      }
    }
  }
  return outcome;
}

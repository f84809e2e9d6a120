// Runs a scenario: for each run and contender, fork server(s) and load generator, warm up, measure each point.
import type { Progress } from "./progress.js";
import type { Contender, LoadPhase, Point, Sample, Scenario, ScenarioMode } from "./scenario.js";
import { startWorker, type WorkerHandle } from "./worker-handle.js";
import { startServerGroup } from "./server-group.js";

/** How a scenario is run. */
export interface RunOptions {
  readonly mode: ScenarioMode;
  /** Runs per figure (the report shows medians). */
  readonly runs: number;
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

async function runPhase(client: WorkerHandle, phase: LoadPhase) {
  return client.request({ op: "phase", phase }, phase.timeoutMs + PHASE_SLACK_MS);
}

async function runContender(scenario: Scenario, contender: Contender, points: readonly Point[], run: number, options: RunOptions): Promise<Sample[]> {
  const tag = `${scenario.name} run ${run}/${options.runs} (${contender.id}) ${contender.label}`;
  const samples: Sample[] = [];
  options.progress.step(`${tag}: starting`, STARTUP_ESTIMATE_MS);
  const profile = (role: string): string[] =>
    options.cpuProfileDir
      ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=${scenario.name}-${contender.id}-run${run}-${role}.cpuprofile`]
      : [];
  const processes = contender.serverProcesses ?? 1;
  const server = startServerGroup(contender.server, processes, (i) => [
    ...(contender.server.execArgv ?? []),
    ...profile(processes === 1 ? "server" : `server${i}`),
  ]);
  let client: WorkerHandle | undefined;
  try {
    const ports = await server.start(CONTROL_TIMEOUT_MS);
    client = startWorker([...(contender.client.execArgv ?? []), ...profile("client")]);
    await client.request({ op: "create-caller", spec: contender.client, ports }, CONTROL_TIMEOUT_MS);
    const warmup = scenario.warmup(options.mode);
    options.progress.step(`${tag}: warm-up`, expectedMs(warmup));
    await runPhase(client, warmup);
    for (const point of points) {
      if (point.server !== undefined) await server.configure(point.server, CONTROL_TIMEOUT_MS);
      if (point.warmup) {
        options.progress.step(`${tag} ${point.label}: warm-up`, expectedMs(point.warmup));
        await runPhase(client, point.warmup);
      }
      options.progress.step(`${tag} ${point.label}: measuring`, expectedMs(point.measure));
      await server.mark(CONTROL_TIMEOUT_MS);
      const result = await runPhase(client, point.measure);
      const serverReport = await server.report(CONTROL_TIMEOUT_MS);
      samples.push({ run, contender: contender.id, point: point.id, client: result, server: serverReport });
    }
  } finally {
    await client?.stop(5_000);
    await server.stop(5_000);
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
  for (let run = 1; run <= options.runs; run++) {
    for (let k = 0; k < n; k++) {
      const contender = scenario.contenders[(k + run - 1) % n];
      try {
        outcome.samples.push(...(await runContender(scenario, contender, pointsOf(points, contender), run, options)));
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        outcome.failures.push({ contender: contender.id, run, error });
        options.progress.note(`FAILED ${scenario.name} (${contender.id}) ${contender.label}, run ${run}: ${error}`);
      }
    }
  }
  return outcome;
}

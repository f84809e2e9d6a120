// Entry of `npm run bench`: runs the chosen scenarios, writes result JSON, SVG charts and RESULTS.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resultsJson } from "./harness/results-json.js";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chartFiles, chartsFor } from "./harness/charts.js";
import { USAGE, parseCli } from "./harness/cli.js";
import { readCpuTicks, stealPercent } from "./harness/cpu-steal.js";
import { describeEnvironment } from "./harness/environment.js";
import { createProgress } from "./harness/progress.js";
import { renderReport, scenarioSection } from "./harness/report.js";
import { plannedMs, runScenario } from "./harness/runner.js";
import type { Figure, RunEnvironment, Scenario, ScenarioMode, ScenarioResults } from "./harness/scenario.js";
import { simulationSection, type SimulationResults, type SimulationScenario } from "./harness/simulation.js";
import { aggregate } from "./harness/stats.js";
import { scenarios, selectScenarios } from "./scenarios/registry.js";

const benchRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const repoRoot = resolve(benchRoot, "..");

/** The scenario restricted to the contender ids given with --contenders (all when undefined). */
function withContenders<S extends Scenario | SimulationScenario>(scenario: S, ids: readonly string[] | undefined): S {
  if (ids === undefined || scenario.kind === "simulation") return scenario;
  const contenders = scenario.contenders.filter((c) => ids.includes(c.id));
  if (contenders.length === 0) {
    throw new Error(`--contenders: none of ${ids.join(", ")} is in scenario ${scenario.name}; accepted: ${scenario.contenders.map((c) => c.id).join(", ")}`);
  }
  return { ...scenario, contenders };
}

/** The scenario restricted to the point ids given with --points (all when undefined). */
function withPoints<S extends Scenario | SimulationScenario>(scenario: S, ids: readonly string[] | undefined): S {
  if (ids === undefined || scenario.kind === "simulation") return scenario;
  const all = scenario.points({ quick: false, durationMs: undefined }).map((p) => p.id);
  if (!all.some((id) => ids.includes(id))) {
    throw new Error(`--points: none of ${ids.join(", ")} is in scenario ${scenario.name}; accepted: ${all.join(", ")}`);
  }
  return { ...scenario, points: (mode: ScenarioMode) => scenario.points(mode).filter((p) => ids.includes(p.id)) };
}

async function main(argv: readonly string[]): Promise<number> {
  const cli = parseCli(argv);
  if (cli.help) {
    console.log(USAGE);
    return 0;
  }
  if (cli.list) {
    for (const s of scenarios) {
      console.log(`${s.name}: ${s.title}`);
      if (s.kind !== "simulation") for (const c of s.contenders) console.log(`  (${c.id}) ${c.label}`);
    }
    return 0;
  }
  const chosen = cli.reportOnly ? [] : selectScenarios(cli.scenarios).map((s) => withPoints(withContenders(s, cli.contenders), cli.points));
  const mode: ScenarioMode = { quick: cli.quick, durationMs: cli.durationMs };
  const runs = cli.runs ?? (cli.quick ? 1 : 3);
  // Quick runs write beside the committed results, never over them.
  const resultsDir = cli.out !== undefined ? resolve(cli.out) : cli.quick ? resolve(benchRoot, "results/quick") : resolve(benchRoot, "results");
  const reportPath = cli.out !== undefined || cli.quick ? resolve(resultsDir, "RESULTS.md") : resolve(benchRoot, "RESULTS.md");
  const rawDir = resolve(benchRoot, "results/raw"); // git-ignored: per-run samples and profiles
  const profileDir = resolve(rawDir, "profiles");
  mkdirSync(resultsDir, { recursive: true });
  if (cli.cpuProf) mkdirSync(profileDir, { recursive: true });

  const progress = createProgress(chosen.reduce((sum, s) => sum + (s.kind === "simulation" ? 0 : plannedMs(s, { mode, runs })), 0));
  let failed = 0;
  for (const scenario of chosen) {
    const startEnvironment = describeEnvironment(repoRoot, argv, runs, cli.quick, cli.nodeFlags);
    const ticksBefore = readCpuTicks();
    const withSteal = (): RunEnvironment => {
      const steal = stealPercent(ticksBefore, readCpuTicks());
      return steal === undefined ? startEnvironment : { ...startEnvironment, stealPercent: steal };
    };
    if (scenario.kind === "simulation") {
      const outcome = await scenario.run(mode, runs, (label) => progress.step(`${scenario.name}: ${label}`, 0));
      const environment = withSteal();
      const saved: SimulationResults = { scenario: scenario.name, environment, ...outcome };
      writeFileSync(resolve(resultsDir, `${scenario.name}.json`), `${resultsJson(saved)}\n`);
      continue;
    }
    const outcome = await runScenario(scenario, { mode, runs, progress, nodeFlags: cli.nodeFlags, cpuProfileDir: cli.cpuProf ? profileDir : undefined });
    const environment = withSteal();
    failed += outcome.failures.length;
    const points = scenario.points(mode);
    const figures = scenario.contenders.flatMap((c) =>
      points.flatMap((p) => aggregate(outcome.samples.filter((s) => s.contender === c.id && s.point === p.id)) ?? ([] as Figure[])),
    );
    const results: ScenarioResults = {
      scenario: scenario.name,
      environment,
      description: scenario.description,
      contenders: scenario.contenders.map((c) => ({ id: c.id, label: c.label })),
      points: points.map((p) => ({ id: p.id, label: p.label, ...(p.contenders === undefined ? {} : { contenders: p.contenders }) })),
      figures,
      failures: outcome.failures,
    };
    writeFileSync(resolve(resultsDir, `${scenario.name}.json`), `${resultsJson(results)}\n`);
    mkdirSync(rawDir, { recursive: true });
    writeFileSync(resolve(rawDir, `${scenario.name}${cli.quick ? "-quick" : ""}-samples.json`), JSON.stringify(outcome.samples));
    for (const chart of await chartsFor(results, scenario.kind)) writeFileSync(resolve(resultsDir, chart.file), chart.svg);
  }
  progress.done();

  // The report covers every scenario with results in this directory, so `npm run bench unary` keeps the stream section.
  const sections = scenarios.flatMap((s: Scenario | SimulationScenario) => {
    const file = resolve(resultsDir, `${s.name}.json`);
    if (!existsSync(file)) return [];
    if (s.kind === "simulation") return [simulationSection(s, JSON.parse(readFileSync(file, "utf8")) as SimulationResults)];
    const results = JSON.parse(readFileSync(file, "utf8")) as ScenarioResults;
    const files = chartFiles(s.name, s.kind, results.points.map((p) => p.id));
    return [scenarioSection(s, results, files.filter((f) => existsSync(resolve(resultsDir, f))), relative(dirname(reportPath), resultsDir) || ".")];
  });
  writeFileSync(reportPath, renderReport(sections, cli.quick));
  console.log(`wrote ${relative(repoRoot, reportPath)} and charts in ${relative(repoRoot, resultsDir)}/`);
  if (cli.cpuProf) console.log(`CPU profiles in ${relative(repoRoot, profileDir)}/ (summarise: node bench/dist/src/tools/profile-top.js <file>)`);
  if (failed > 0) console.error(`${failed} contender run(s) failed; see the Failures list in the report`);
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);

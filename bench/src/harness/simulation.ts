// In-process scenarios: measured inside the runner's own process (e.g. cache hit ratios replayed
// from traces), reported as a markdown body the scenario writes itself, beside the RPC scenarios.
import { stealText } from "./environment.js";
import type { Json, RunEnvironment, ScenarioMode } from "./scenario.js";

/** What an in-process scenario's run produces. */
export interface SimulationOutcome {
  /** The section body: tables and goals, without the title and environment lines. */
  readonly markdown: string;
  /** The figures, saved as `results/<name>.json`. */
  readonly data: Json;
}

/** A scenario run in the runner's process. */
export interface SimulationScenario {
  readonly name: string;
  readonly title: string;
  /** A paragraph for the report: what is measured and how. */
  readonly description: string;
  readonly kind: "simulation";
  /** Runs the scenario `runs` times where it measures time (medians); `step` reports progress. */
  run(mode: ScenarioMode, runs: number, step: (label: string) => void): Promise<SimulationOutcome>;
}

/** What `results/<name>.json` of an in-process scenario holds. */
export interface SimulationResults {
  readonly scenario: string;
  readonly environment: RunEnvironment;
  readonly markdown: string;
  readonly data: Json;
}

/** The report section of an in-process scenario. */
export function simulationSection(scenario: SimulationScenario, results: SimulationResults): string {
  const env = results.environment;
  return [
    `## \`${scenario.name}\` — ${scenario.title}`,
    "",
    scenario.description,
    "",
    `Measured ${env.date} with \`${env.command}\`: ${env.runs} run${env.runs === 1 ? "" : "s"} per timed figure (medians), Node ${env.node}, ` +
      `${env.cores} cores (${env.cpuModel}), load average at start ${env.loadAverage.join(" / ")}${stealText(env)}${env.quick ? "; **quick smoke run: figures are not meaningful**" : ""}.`,
    "",
    results.markdown,
    "",
  ].join("\n");
}

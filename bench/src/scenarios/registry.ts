// The scenario registry: `npm run bench <name>` looks scenarios up here; add a new one to the list.
import type { Scenario } from "../harness/scenario.js";
import type { SimulationScenario } from "../harness/simulation.js";
import { balanceScenario } from "./balance.js";
import { cacheScenario } from "./cache.js";
import { overloadScenario } from "./overload.js";
import { streamScenario } from "./stream.js";
import { unaryScenario } from "./unary.js";
import { retryStormScenario, tailScenario } from "./tail.js";

/** Every scenario, in the order `npm run bench` runs them. */
export const scenarios: readonly (Scenario | SimulationScenario)[] = [
  unaryScenario,
  streamScenario,
  balanceScenario,
  overloadScenario,
  tailScenario,
  retryStormScenario,
  cacheScenario,
];

/** Finds scenarios by name; throws naming the unknown one and the accepted names. */
export function selectScenarios(names: readonly string[]): (Scenario | SimulationScenario)[] {
  if (names.length === 0) return [...scenarios];
  return names.map((name) => {
    const found = scenarios.find((s) => s.name === name);
    if (found === undefined) throw new Error(`unknown scenario "${name}"; accepted: ${scenarios.map((s) => s.name).join(", ")}`);
    return found;
  });
}

// The scenario registry: `npm run bench <name>` looks scenarios up here; add a new one to the list.
import type { Scenario } from "../harness/scenario.js";
import { balanceScenario } from "./balance.js";
import { streamScenario } from "./stream.js";
import { unaryScenario } from "./unary.js";
import { retryStormScenario, tailScenario } from "./tail.js";

/** Every scenario, in the order `npm run bench` runs them. */
export const scenarios: readonly Scenario[] = [unaryScenario, streamScenario, balanceScenario, tailScenario, retryStormScenario];

/** Finds scenarios by name; throws naming the unknown one and the accepted names. */
export function selectScenarios(names: readonly string[]): Scenario[] {
  if (names.length === 0) return [...scenarios];
  return names.map((name) => {
    const found = scenarios.find((s) => s.name === name);
    if (found === undefined) throw new Error(`unknown scenario "${name}"; accepted: ${scenarios.map((s) => s.name).join(", ")}`);
    return found;
  });
}

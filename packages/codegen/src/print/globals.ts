// Spells the global names that generated code uses (Promise, AsyncIterable, String) so
// that they still mean the globals when a proto message of the same name is imported.
import type { DescMessage } from "@bufbuild/protobuf";
import type { ServicePlan } from "../policy/plan.js";

/** How generated code refers to each global it uses: `Promise` or `globalThis.Promise`. */
export interface Globals {
  readonly Promise: string;
  readonly AsyncIterable: string;
  readonly String: string;
}

/**
 * Returns the spelling of each global for one generated file: `globalThis.X` when a top-level
 * message named `X` is used by a method of the file (and so is imported under that name).
 */
export function globalsFor(plans: readonly ServicePlan[]): Globals {
  const used = new Set<string>();
  const add = (message: DescMessage): void => {
    if (message.parent === undefined) used.add(message.name);
  };
  for (const plan of plans) {
    for (const { method } of plan.methods) {
      add(method.input);
      add(method.output);
    }
  }
  const spell = (name: string): string => (used.has(name) ? `globalThis.${name}` : name);
  return {
    Promise: spell("Promise"),
    AsyncIterable: spell("AsyncIterable"),
    String: spell("String"),
  };
}

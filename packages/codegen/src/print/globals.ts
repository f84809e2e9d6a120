// Spells the global names that generated code uses (Promise, AsyncIterable, Partial, String) so
// that they still mean the globals when a proto message, enum or service of the same name is imported.
import type { DescEnum, DescMessage } from "@bufbuild/protobuf";
import type { ServicePlan } from "../policy/plan.js";

/** How generated code refers to each global it uses: `Promise` or `globalThis.Promise`. */
export interface Globals {
  readonly Promise: string;
  readonly AsyncIterable: string;
  readonly String: string;
}

/**
 * Returns the spelling of each global for one generated file: `globalThis.X` when a name `X` may
 * be imported into it — a top-level message used by a method, a service of the file (its
 * descriptor is imported under the service's name), or a top-level message or enum of the file.
 */
export function globalsFor(plans: readonly ServicePlan[]): Globals {
  const used = new Set<string>();
  const add = (desc: DescMessage | DescEnum): void => {
    if (desc.parent === undefined) used.add(desc.name);
  };
  for (const plan of plans) {
    used.add(plan.service.name);
    for (const message of plan.service.file.messages) add(message);
    for (const enumeration of plan.service.file.enums) add(enumeration);
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

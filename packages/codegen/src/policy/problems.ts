// Collects validation problems with their location (file, service, method) so that all problems
// of a run are reported together in one error.
import type { DescMethod, DescService } from "@bufbuild/protobuf";

/** Reports one problem; `field` is the option field, e.g. `(sluice.v1.method).cache.ttl_ms`. */
export type Report = (field: string, problem: string) => void;

/** A list of located problems. */
export interface Problems {
  /** Returns a reporter that prefixes its problems with the location of `service` / `method`. */
  at(service: DescService, method?: DescMethod): Report;
  /** All problems so far, one line each, in the order they were reported. */
  readonly list: readonly string[];
}

/** Creates an empty problem list. */
export function createProblems(): Problems {
  const list: string[] = [];
  return {
    list,
    at(service, method) {
      let where = `${service.file.name}.proto: service ${service.typeName}`;
      if (method !== undefined) {
        where += `, method ${method.name}`;
      }
      return (field, problem) => list.push(`${where}: ${field} ${problem}`);
    },
  };
}

/** The error thrown when the options of the input are invalid: one problem per line. */
export class SluiceOptionsError extends Error {
  override name = "SluiceOptionsError";
  /** The individual problems. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      `invalid sluice.v1 options (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.join("\n"),
    );
    this.problems = problems;
  }
}

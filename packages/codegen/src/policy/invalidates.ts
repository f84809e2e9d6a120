// Checks `(sluice.v1.method).invalidates`: every name must be another method of the same service
// that declares a cache, named once, on a unary method with side effects.
import type { DescMethod } from "@bufbuild/protobuf";
import type { MethodPlan } from "./plan.js";
import type { Report } from "./problems.js";

const FIELD = "(sluice.v1.method).invalidates";

/** Reports every bad `invalidates` entry of a service's methods, located by `reportAt(method)`. */
export function checkInvalidates(methods: readonly MethodPlan[], reportAt: (method: DescMethod) => Report): void {
  const byName = new Map(methods.map((m) => [m.method.name, m]));
  for (const plan of methods) {
    const names = plan.invalidates;
    if (names === undefined) continue;
    const report = reportAt(plan.method);
    if (plan.idempotency === "no-side-effects") {
      report(FIELD, "requires a method with side effects, got idempotency_level = NO_SIDE_EFFECTS");
    }
    if (plan.method.methodKind !== "unary") {
      report(FIELD, `is only allowed on unary methods, got a ${plan.method.methodKind.replace("_", "-")} method`);
    }
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) {
        report(FIELD, `names "${name}" twice`);
        continue;
      }
      seen.add(name);
      const target = byName.get(name);
      if (target === undefined) {
        report(FIELD, `names "${name}", which is not a method of service ${plan.method.parent.typeName} (methods: ${[...byName.keys()].join(", ")})`);
      } else if (target === plan) {
        report(FIELD, `names "${name}", the method itself`);
      } else if (target.cache === undefined) {
        report(FIELD, `names "${name}", which declares no (sluice.v1.method).cache`);
      }
    }
  }
}

// Merges a generated policy table with the caller's overrides into one effective policy per method.
import type { DescService } from "@bufbuild/protobuf";
import type { MethodPolicy, PolicyOverrides, PolicyTable } from "./method-policy.js";
import { validateMethodPolicy } from "./validate-policy.js";

/** Effective policy per method local name. @private */
export type ResolvedPolicies = ReadonlyMap<string, MethodPolicy<unknown>>;

/**
 * Applies overrides field by field (a `null` field removes that policy), checks that every
 * override names a method of the service, and checks each overridden policy as codegen checks
 * the .proto options.
 *
 * @private
 */
export function resolvePolicies<S extends DescService>(
  service: S,
  table: PolicyTable<S>,
  overrides: PolicyOverrides<S> | undefined,
): ResolvedPolicies {
  const byName = new Map<string, MethodPolicy<unknown>>();
  const tableRecord = table as unknown as Record<string, MethodPolicy<unknown> | undefined>;
  const overrideRecord = (overrides ?? {}) as Record<string, Record<string, unknown> | undefined>;
  for (const name of Object.keys(overrideRecord)) {
    if (!Object.prototype.hasOwnProperty.call(service.method, name)) {
      const accepted = service.methods.map((m) => m.localName).join(", ");
      throw new Error(
        `overrides.${name}: ${service.typeName} has no method "${name}"; accepted: ${accepted}`,
      );
    }
  }
  for (const method of service.methods) {
    const base = tableRecord[method.localName] ?? { idempotency: "unknown" };
    const override = overrideRecord[method.localName];
    if (override === undefined) {
      byName.set(method.localName, base);
      continue;
    }
    const merged: Record<string, unknown> = { ...base };
    for (const [field, value] of Object.entries(override)) {
      if (value === null) {
        delete merged[field];
      } else if (value !== undefined) {
        merged[field] = value;
      }
    }
    const policy = merged as unknown as MethodPolicy<unknown>;
    validateMethodPolicy(method.localName, policy);
    byName.set(method.localName, policy);
  }
  return byName;
}

// createPolicyClient: what every generated createXxxClient calls — a Connect client whose calls
// pass through the method policies of the generated table.
import { createClient, type Client, type Transport } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import type { PolicyOverrides, PolicyTable } from "./method-policy.js";
import { resolvePolicies } from "./resolve-policies.js";
import { createPolicyTransport } from "./policy-transport.js";

/**
 * Creates a typed client for `service` over any Connect `Transport` (a Sluice channel or a plain
 * connect-node transport) that applies the generated per-method `policies`, adjusted by `overrides`.
 *
 * @example
 * ```ts
 * const client = createPolicyClient(InventoryService, channel, InventoryServicePolicies, {
 *   getItem: { timeoutMs: 250 },
 * });
 * ```
 */
export function createPolicyClient<S extends DescService>(
  service: S,
  transport: Transport,
  policies: PolicyTable<S>,
  overrides?: PolicyOverrides<S>,
): Client<S> {
  const resolved = resolvePolicies(service, policies, overrides);
  return createClient(service, createPolicyTransport(transport, resolved));
}

// createPolicyClient: what every generated createXxxClient calls — a typed client whose calls pass
// through the call pipeline (policy → call-level interceptors → method-policy layers → defaults →
// retry or hedge → transport).
import type { Client, Interceptor, Transport } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import type { PolicyOverrides, PolicyTable } from "./method-policy.js";
import { resolvePolicies } from "./resolve-policies.js";
import { composePipeline } from "./pipeline.js";
import { policyLayer } from "./policy-layer.js";
import { interceptorLayer } from "./interceptor-layer.js";
import { defaultsLayer } from "./defaults-layer.js";
import type { TransportLayer } from "./layer.js";
import { createCancelableClient } from "./cancelable-client.js";
import { attemptLayer } from "./retry/attempt-layers.js";
import { attemptStateOf } from "./retry/attempt-state.js";

/** Client-wide options of a generated client beside its policy overrides. */
export interface PolicyClientOptions {
  /**
   * Connect interceptors run once per logical call, before any method-policy layer and before an
   * endpoint is picked (e.g. to add credentials or log a call once, however many attempts it takes).
   * Interceptors that must run once per attempt go in the channel's `transport.interceptors`.
   */
  readonly interceptors?: readonly Interceptor[];
  /**
   * Method-policy layers placed between the call-level interceptors and the defaults layer, outermost
   * first; each reads the call's policy from `methodPolicyContext`.
   */
  readonly layers?: readonly TransportLayer[];
}

/**
 * Creates a typed client for `service` over any Connect `Transport` (a Sluice channel or a plain
 * connect-node transport) that applies the generated per-method `policies`, adjusted by `overrides`.
 * Leaving a response stream early cancels the call (see {@link createCancelableClient}). Methods
 * with a retry or hedge policy are retried or hedged, spending the retry budget of `transport`
 * (a channel's own, shared by every client on it; see docs/RETRIES.md).
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
  options: PolicyClientOptions = {},
): Client<S> {
  const resolved = resolvePolicies(service, policies, overrides);
  const pipeline = composePipeline(transport, [
    policyLayer(resolved),
    interceptorLayer(options.interceptors ?? []),
    ...(options.layers ?? []),
    defaultsLayer,
    attemptLayer(attemptStateOf(transport)),
  ]);
  return createCancelableClient(service, pipeline);
}

// createPolicyClient: what every generated createXxxClient calls — a typed client whose calls pass
// through the call pipeline (policy → call-level interceptors → cache → method layers → defaults →
// retry or hedge → transport), with rxjs twins of its streaming methods and the controls of its
// response cache.
import type { Interceptor, Transport } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import type { PolicyOverrides, PolicyTable } from "./method-policy.js";
import { resolvePolicies } from "./resolve-policies.js";
import { composePipeline } from "./pipeline.js";
import { policyLayer } from "./policy-layer.js";
import { interceptorLayer } from "./interceptor-layer.js";
import { defaultsLayer } from "./defaults-layer.js";
import type { TransportLayer } from "./layer.js";
import { createCancelableClient } from "./cancelable-client.js";
import { createCacheLayer, type CacheLayer } from "../cache/cache-layer.js";
import { withObservables, type RxClientOptions, type SluiceClient } from "../rx/rx-client.js";
import { attemptLayer } from "./retry/attempt-layers.js";
import { attemptStateOf } from "./retry/attempt-state.js";

/** Client-wide options of a generated client beside its policy overrides. */
export interface PolicyClientOptions extends RxClientOptions {
  /**
   * Connect interceptors run once per logical call, before any method-policy layer and before an
   * endpoint is picked (e.g. to add credentials or log a call once, however many attempts it takes).
   * Interceptors that must run once per attempt go in the channel's `transport.interceptors`.
   */
  readonly interceptors?: readonly Interceptor[];
  /**
   * The response cache of the methods whose policy declares one (`cache` in the .proto): a layer
   * from `createCacheLayer(...)` (share one between clients of a service to share their cache, or
   * give it per-method overrides), or `false` for none. Default: a cache of this client's own.
   */
  readonly cache?: CacheLayer | false;
  /**
   * Method-policy layers placed between the cache and the defaults layer, outermost first; each
   * reads the call's policy from `methodPolicyContext`.
   */
  readonly layers?: readonly TransportLayer[];
}

/** A generated client: its methods and their rxjs twins, plus the controls of its response cache. */
export type PolicyClient<S extends DescService, U extends boolean = false> = SluiceClient<S, U> & {
  /**
   * The client's response cache: `$cache.invalidate(method, request?)`, `$cache.clear()`,
   * `$cache.stats()` (hits, misses, coalesced, stale served, evictions, entries, bytes per method).
   * Named with a `$` so that no rpc name can collide with it.
   */
  readonly $cache: CacheLayer;
};

/**
 * Creates a typed client for `service` over any Connect `Transport` (a Sluice channel or a plain
 * connect-node transport) that applies the generated per-method `policies`, adjusted by `overrides`.
 * Leaving a response stream early cancels the call (see {@link createCancelableClient}); every
 * streaming method also has a `method$` twin returning a cold Observable (see {@link withObservables}).
 * Methods with a retry or hedge policy are retried or hedged, spending the retry budget of
 * `transport` (a channel's own, shared by every client on it; see docs/RETRIES.md).
 *
 * @example
 * ```ts
 * const client = createPolicyClient(InventoryService, channel, InventoryServicePolicies, {
 *   getItem: { timeoutMs: 250 },
 * });
 * ```
 */
export function createPolicyClient<S extends DescService, U extends boolean = false>(
  service: S,
  transport: Transport,
  policies: PolicyTable<S>,
  overrides?: PolicyOverrides<S>,
  options: PolicyClientOptions & { readonly rxjsUnary?: U } = {},
): PolicyClient<S, U> {
  const resolved = resolvePolicies(service, policies, overrides);
  const cache = options.cache === false ? undefined : (options.cache ?? createCacheLayer());
  const pipeline = composePipeline(transport, [
    policyLayer(resolved),
    interceptorLayer(options.interceptors ?? []),
    ...(cache === undefined ? [] : [cache]),
    ...(options.layers ?? []),
    defaultsLayer,
    attemptLayer(attemptStateOf(transport)),
  ]);
  const client = withObservables(service, createCancelableClient(service, pipeline), options) as PolicyClient<S, U>;
  Object.defineProperty(client, "$cache", { value: cache ?? createCacheLayer(), enumerable: false });
  return client;
}

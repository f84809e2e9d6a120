// The response cache as the outermost call-pipeline layer: unary calls whose method policy declares
// a cache are answered from it, coalesced or fetched through the layer below; streams pass through.
import { create, isMessage, toBinary, type DescMessage, type DescMethod, type DescMethodUnary, type DescService, type MessageInitShape } from "@bufbuild/protobuf";
import type { ContextValues, Transport, UnaryResponse } from "@connectrpc/connect";
import type { CachePolicy, MethodPolicy } from "../client/method-policy.js";
import type { TransportLayer } from "../client/layer.js";
import { methodPolicyContext } from "../client/policy-context.js";
import { cacheKey, cacheKeyPrefix, IDENTITY_HEADERS, keyHeaderNames } from "./cache-key.js";
import type { CacheStats } from "./cache-stats.js";
import { evictionNames } from "./create-store.js";
import { copyStrategies, unaryResponseCodec, type CopyStrategy } from "./response-codecs.js";
import { ResponseCache, type ResponseCodec } from "./response-cache.js";

/** A per-method override: `"off"`, or fields replacing the method's cache policy. */
export type CacheOverride = "off" | (Partial<CachePolicy> & { readonly negativeTtlMs?: number });

/** Options of `createCacheLayer`. */
export interface CacheLayerOptions {
  /** The cache to use; pass one instance to several layers (clients of one service) to share it. */
  readonly cache?: ResponseCache;
  /**
   * Per-method overrides keyed by proto method name (`GetItem`) or full name
   * (`acme.v1.ItemService/GetItem`, which wins). A method with no policy is cached when its
   * override gives `ttlMs` and a bound.
   */
  readonly methods?: Readonly<Record<string, CacheOverride>>;
  /** How long NOT_FOUND answers are cached, in ms, unless a method override says otherwise; default 0 (never). */
  readonly negativeTtlMs?: number;
  /**
   * How cached messages are copied out to callers; default `"decode"`: the cache keeps the encoded
   * bytes its size bound counts, and decoding per hit measured as cheap as `clone` in the `cache` bench.
   */
  readonly copy?: CopyStrategy;
  /** Headers always part of the key; default `authorization` and `cookie`. */
  readonly identityHeaders?: readonly string[];
}

/** The cache layer: a `TransportLayer` with the cache's controls. */
export interface CacheLayer extends TransportLayer {
  /** The cache behind the layer (shared when passed in). */
  readonly cache: ResponseCache;
  /**
   * Drops cached answers of `method` (a method, a service, or a full name such as
   * `acme.v1.ItemService/GetItem`), only those of `request` (for every caller) when given.
   */
  invalidate(method: DescMethod | DescService | string, request?: MessageInitShape<DescMessage>): void;
  /** Drops every cached answer. */
  clear(): void;
  /** Per-method counters. */
  stats(): CacheStats;
}

/** Everything derived once per (method, effective policy). */
interface MethodPlan {
  readonly name: string;
  readonly policy: CachePolicy;
  readonly negativeTtlMs: number;
  readonly headerNames: readonly string[];
  readonly codec: ResponseCodec<UnaryResponse, unknown>;
}

const nonNegative = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= 0;

/** Throws naming `methods.<name>.<field>` when an override is malformed. */
function checkOverride(name: string, override: CacheOverride): void {
  const fail = (field: string, message: string): never => {
    throw new Error(`methods.${name}${field === "" ? "" : `.${field}`}: ${message}`);
  };
  if (override === "off") return;
  if (typeof override !== "object" || override === null) fail("", `must be "off" or an object of cache policy fields, got ${String(override)}`);
  const { ttlMs, maxEntries, maxBytes, staleWhileRevalidateMs, eviction, keyHeaders, negativeTtlMs } = override;
  if (ttlMs !== undefined && !(nonNegative(ttlMs) && ttlMs > 0)) fail("ttlMs", `must be > 0, got ${String(ttlMs)}`);
  if (maxEntries !== undefined && !(Number.isInteger(maxEntries) && maxEntries >= 0)) fail("maxEntries", `must be an integer >= 0, got ${String(maxEntries)}`);
  if (maxBytes !== undefined && !nonNegative(maxBytes)) fail("maxBytes", `must be >= 0, got ${String(maxBytes)}`);
  if (staleWhileRevalidateMs !== undefined && !nonNegative(staleWhileRevalidateMs)) fail("staleWhileRevalidateMs", `must be >= 0, got ${String(staleWhileRevalidateMs)}`);
  if (negativeTtlMs !== undefined && !nonNegative(negativeTtlMs)) fail("negativeTtlMs", `must be >= 0, got ${String(negativeTtlMs)}`);
  if (eviction !== undefined && !evictionNames.includes(eviction)) fail("eviction", `must be one of ${evictionNames.join(", ")}, got ${String(eviction)}`);
  if (keyHeaders !== undefined && !(Array.isArray(keyHeaders) && keyHeaders.every((h) => typeof h === "string"))) fail("keyHeaders", "must be an array of header names");
}

/** The policy after an override, or undefined when the method is not cached. */
function effectivePolicy(name: string, base: CachePolicy | undefined, override: CacheOverride | undefined): CachePolicy | undefined {
  if (override === "off") return undefined;
  if (override === undefined) return base;
  const merged: CachePolicy = {
    ttlMs: override.ttlMs ?? base?.ttlMs ?? 0,
    maxEntries: override.maxEntries ?? base?.maxEntries ?? 0,
    maxBytes: override.maxBytes ?? base?.maxBytes ?? 0,
    eviction: override.eviction ?? base?.eviction ?? "tinylfu",
    staleWhileRevalidateMs: override.staleWhileRevalidateMs ?? base?.staleWhileRevalidateMs ?? 0,
    keyHeaders: override.keyHeaders ?? base?.keyHeaders ?? [],
  };
  if (!(merged.ttlMs > 0)) throw new Error(`methods.${name}.ttlMs: must be > 0 for a method without a cache policy`);
  if (merged.maxEntries === 0 && merged.maxBytes === 0) throw new Error(`methods.${name}: needs maxEntries or maxBytes (or both) > 0`);
  return merged;
}

function fullName(method: DescMethod): string {
  return `${method.parent.typeName}/${method.name}`;
}

/**
 * The cache layer. Per unary call it reads the method policy from `contextValues`
 * (`methodPolicyContext`); a policy with `cache` (after `options.methods` overrides) is served
 * from the cache, one with `invalidates` drops the named methods' answers once the call settles.
 *
 * @example
 * const layer = createCacheLayer({ methods: { ListItems: "off" } });
 * const transport = layer(createConnectTransport({ baseUrl, httpVersion: "2" }));
 */
export function createCacheLayer(options: CacheLayerOptions = {}): CacheLayer {
  const cache = options.cache ?? new ResponseCache();
  const overrides = options.methods ?? {};
  for (const [name, override] of Object.entries(overrides)) checkOverride(name, override);
  const copy = options.copy ?? "decode";
  if (!copyStrategies.includes(copy)) throw new Error(`copy: must be one of ${copyStrategies.join(", ")}, got ${String(copy)}`);
  const negativeTtlMs = options.negativeTtlMs ?? 0;
  if (!nonNegative(negativeTtlMs)) throw new Error(`negativeTtlMs: must be >= 0, got ${String(negativeTtlMs)}`);
  const identity = options.identityHeaders ?? IDENTITY_HEADERS;
  // Plans are memoised per method descriptor and per base policy object (policies are static tables).
  const plans = new WeakMap<DescMethod, Map<CachePolicy | undefined, MethodPlan | null>>();

  const planFor = (method: DescMethodUnary, base: CachePolicy | undefined): MethodPlan | null => {
    let byPolicy = plans.get(method);
    if (byPolicy === undefined) plans.set(method, (byPolicy = new Map()));
    let plan = byPolicy.get(base);
    if (plan === undefined) {
      const name = fullName(method);
      const override = overrides[name] ?? overrides[method.name];
      const policy = effectivePolicy(overrides[name] !== undefined ? name : method.name, base, override);
      plan =
        policy === undefined
          ? null
          : {
              name,
              policy,
              negativeTtlMs: (override !== undefined && override !== "off" ? override.negativeTtlMs : undefined) ?? negativeTtlMs,
              headerNames: keyHeaderNames(policy.keyHeaders, identity),
              codec: unaryResponseCodec(method, copy) as unknown as ResponseCodec<UnaryResponse, unknown>,
            };
      byPolicy.set(base, plan);
    }
    return plan;
  };

  const invalidateAfter = (method: DescMethod, policy: MethodPolicy<unknown>, request: unknown): void => {
    const tag = policy.routingKey?.get(request);
    for (const target of policy.invalidates ?? []) {
      cache.invalidate(`${method.parent.typeName}/${target}`, tag === undefined ? undefined : { tag });
    }
  };

  const layer = (next: Transport): Transport => ({
    async unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: Parameters<Transport["unary"]>[3],
      input: MessageInitShape<I>,
      contextValues?: ContextValues,
    ): Promise<UnaryResponse<I, O>> {
      const methodPolicy = contextValues?.get(methodPolicyContext);
      const plan = planFor(method as unknown as DescMethodUnary, methodPolicy?.cache);
      if (plan === null) {
        if (methodPolicy?.invalidates === undefined || methodPolicy.invalidates.length === 0) {
          return next.unary(method, signal, timeoutMs, header, input, contextValues);
        }
        const request = isMessage(input, method.input) ? input : create(method.input, input);
        try {
          return await next.unary(method, signal, timeoutMs, header, request, contextValues);
        } finally {
          invalidateAfter(method, methodPolicy, request);
        }
      }
      const request = isMessage(input, method.input) ? input : create(method.input, input);
      const key = cacheKey(plan.name, toBinary(method.input, request), header === undefined ? undefined : new Headers(header), plan.headerNames);
      const response = await cache.fetch({
        method: plan.name,
        key,
        policy: plan.policy,
        negativeTtlMs: plan.negativeTtlMs,
        codec: plan.codec,
        load: (shared) => next.unary(method, shared, timeoutMs, header, request, contextValues) as Promise<UnaryResponse>,
        signal,
        timeoutMs,
        tag: methodPolicy?.routingKey?.get(request),
      });
      return response as unknown as UnaryResponse<I, O>;
    },
    stream: (method, signal, timeoutMs, header, input, contextValues) => next.stream(method, signal, timeoutMs, header, input, contextValues),
  });

  return Object.assign(layer, {
    cache,
    invalidate(method: DescMethod | DescService | string, request?: MessageInitShape<DescMessage>): void {
      if (typeof method === "string") {
        if (request !== undefined) throw new Error("invalidate: pass the method descriptor (not its name) to invalidate one request");
        cache.invalidate(method);
        return;
      }
      if (method.kind === "service") {
        if (request !== undefined) throw new Error("invalidate: pass a method descriptor (not a service) to invalidate one request");
        cache.invalidate(method.typeName);
        return;
      }
      if (request === undefined) {
        cache.invalidate(fullName(method));
        return;
      }
      const message = isMessage(request, method.input) ? request : create(method.input, request as MessageInitShape<typeof method.input>);
      cache.invalidate(fullName(method), { keyPrefix: cacheKeyPrefix(fullName(method), toBinary(method.input, message)) });
    },
    clear: () => cache.clear(),
    stats: () => cache.stats(),
  });
}

// The response cache as the outermost call-pipeline layer: unary calls whose method policy declares
// a cache are answered from it, coalesced or fetched through the layer below; streams pass through.
import { create, isMessage, type DescMessage, type DescMethod, type DescMethodUnary, type DescService, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { ContextValues, Transport, UnaryResponse } from "@connectrpc/connect";
import { createMethodUrl } from "@connectrpc/connect/protocol";
import type { CachePolicy, MethodPolicy, RoutingKey } from "../client/method-policy.js";
import type { TransportLayer } from "../client/layer.js";
import { methodPolicyContext } from "../client/policy-context.js";
import { callCredentialsOf, produceCredentials, type CallCredentials, type CredentialHeaders } from "../channel/call-credentials.js";
import { waitWithin } from "../call/caller-wait.js";
import { cacheKey, cacheKeyPrefix, credentialsKeyText, IDENTITY_HEADERS, keyHeaderNames, type KeyHeaders } from "./cache-key.js";
import type { CacheStats } from "./cache-stats.js";
import { evictionNames } from "./create-store.js";
import { copyStrategies, unaryResponseCodec, type CopyStrategy } from "./response-codecs.js";
import { ResponseCache, type CacheFetch, type ResponseCodec } from "./response-cache.js";
import { requestKeyEncoder } from "./request-key.js";

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
   * How cached messages are copied out to callers; default `"copy"`: the cache keeps the message
   * and deep-copies it per hit, measured cheaper than `"decode"` and `"clone"` in the `cache` bench.
   */
  readonly copy?: CopyStrategy;
  /**
   * Headers always part of the key; default `authorization` and `cookie`. The headers the
   * channel's call `credentials` produce for a call are part of the key too.
   */
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
  /** The request part of the key. */
  readonly requestText: (request: unknown) => string;
  /** What a credentials provider is told the call's URL is (no endpoint is picked yet). */
  readonly url: string;
  readonly policy: CachePolicy;
  readonly negativeTtlMs: number;
  readonly headerNames: readonly string[];
  readonly codec: ResponseCodec<UnaryResponse, unknown>;
}

/** Request headers as Connect's `Transport.unary` takes them. */
type CallHeaders = Parameters<Transport["unary"]>[3];

/** The base of the URL a credentials provider sees when the cache asks it for a call's headers. */
const credentialsBaseUrl = "sluice://channel";
/** The signal a credentials provider gets for a call made without one. */
const neverAborted = new AbortController().signal;

/** One call of a cached method through the cache: what a miss needs to go upstream, no closure. */
class CachedCall implements CacheFetch<UnaryResponse, unknown> {
  constructor(
    private readonly plan: MethodPlan,
    readonly key: string,
    private readonly next: Transport,
    private readonly desc: DescMethodUnary,
    readonly signal: AbortSignal | undefined,
    readonly timeoutMs: number | undefined,
    private readonly header: KeyHeaders | undefined,
    private readonly request: MessageShape<DescMessage>,
    private readonly contextValues: ContextValues | undefined,
    private readonly routingKey: RoutingKey<unknown> | undefined,
  ) {}

  get method(): string {
    return this.plan.name;
  }
  get policy(): CachePolicy {
    return this.plan.policy;
  }
  get negativeTtlMs(): number {
    return this.plan.negativeTtlMs;
  }
  get codec(): ResponseCodec<UnaryResponse, unknown> {
    return this.plan.codec;
  }
  get tag(): string | undefined {
    return this.routingKey?.get(this.request);
  }
  load(signal: AbortSignal): Promise<UnaryResponse> {
    return this.next.unary(this.desc, signal, this.timeoutMs, this.header as CallHeaders, this.request, this.contextValues);
  }
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
 * When the transport below carries a channel's call `credentials` (`layer(channel)`, or any
 * pipeline built by `composePipeline` over a channel), the cache asks them for each call's headers
 * (with the URL `sluice://channel/<service>/<method>`: no endpoint is picked yet) and keys on
 * them, so callers signed as different users never share an answer; a provider that fails fails
 * the call with UNAUTHENTICATED, as the channel would. A hit costs no binary encoding, no `Headers`
 * object and no async frame (see docs/ARCHITECTURE.md, "Response cache").
 *
 * @example
 * const layer = createCacheLayer({ methods: { ListItems: "off" } });
 * const transport = layer(createConnectTransport({ baseUrl, httpVersion: "2" }));
 */
export function createCacheLayer(options: CacheLayerOptions = {}): CacheLayer {
  const cache = options.cache ?? new ResponseCache();
  const overrides = options.methods ?? {};
  for (const [name, override] of Object.entries(overrides)) checkOverride(name, override);
  const copy = options.copy ?? "copy";
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
              requestText: requestKeyEncoder(method.input),
              url: createMethodUrl(credentialsBaseUrl, method),
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

  /** A call of a method with no cache plan: passed on, and invalidating what its policy names. */
  const uncached = async (next: Transport, args: Parameters<Transport["unary"]>, methodPolicy: MethodPolicy<unknown>): Promise<UnaryResponse> => {
    const [method, signal, timeoutMs, header, input, contextValues] = args;
    const request = isMessage(input, method.input) ? input : create(method.input, input);
    try {
      return await next.unary(method, signal, timeoutMs, header, request, contextValues);
    } finally {
      invalidateAfter(method, methodPolicy, request);
    }
  };

  /** Answers a call from the cache, or fetches it; `credentials` is the key text of the call's credentials. */
  const viaCache = (
    next: Transport,
    plan: MethodPlan,
    method: DescMethodUnary,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    header: KeyHeaders | undefined,
    input: MessageInitShape<DescMessage>,
    contextValues: ContextValues | undefined,
    routingKey: RoutingKey<unknown> | undefined,
    credentials: string | undefined,
  ): Promise<UnaryResponse> => {
    let requestText: string;
    try {
      requestText = plan.requestText(input);
    } catch {
      // No key for a request that cannot be encoded: the call goes upstream and reports why.
      return next.unary(method, signal, timeoutMs, header as CallHeaders, input, contextValues);
    }
    const request = isMessage(input, method.input) ? input : create(method.input, input);
    const key = cacheKey(plan.name, requestText, header, plan.headerNames, credentials);
    return cache.fetch(new CachedCall(plan, key, next, method, signal, timeoutMs, header, request, contextValues, routingKey));
  };

  /** One unary call through the layer; may throw (the layer turns that into a rejection). */
  const answer = (next: Transport, credentials: CallCredentials | undefined, args: Parameters<Transport["unary"]>): Promise<UnaryResponse> => {
    const [method, signal, timeoutMs, header, input, contextValues] = args;
    const methodPolicy = contextValues?.get(methodPolicyContext);
    const plan = planFor(method, methodPolicy?.cache);
    if (plan === null) {
      if (methodPolicy?.invalidates === undefined || methodPolicy.invalidates.length === 0) {
        return next.unary(method, signal, timeoutMs, header, input, contextValues);
      }
      return uncached(next, args, methodPolicy);
    }
    const h = header as KeyHeaders | undefined;
    const r = methodPolicy?.routingKey;
    if (credentials === undefined) return viaCache(next, plan, method, signal, timeoutMs, h, input, contextValues, r, undefined);
    // The channel signs calls: what its credentials give this call is part of the key.
    const produced = produceCredentials(credentials, { method, url: plan.url, signal: signal ?? neverAborted });
    if (produced instanceof Promise) {
      // The wait ends with the call's deadline (the method's default one when the caller gave none).
      return waitWithin(produced, signal, timeoutMs ?? methodPolicy?.timeoutMs).then((headers) =>
        viaCache(next, plan, method, signal, timeoutMs, h, input, contextValues, r, credentialsKeyText(headers)),
      );
    }
    return viaCache(next, plan, method, signal, timeoutMs, h, input, contextValues, r, credentialsKeyText(produced));
  };

  const layer = (next: Transport): Transport => {
    const credentials: CallCredentials | undefined = callCredentialsOf(next);
    return {
      unary<I extends DescMessage, O extends DescMessage>(...args: Parameters<Transport["unary"]>): Promise<UnaryResponse<I, O>> {
        try {
          return answer(next, credentials, args) as Promise<UnaryResponse<I, O>>;
        } catch (error) {
          // A bad override, request or credentials answer fails the call as a rejection, never a throw.
          return Promise.reject(error);
        }
      },
      stream: (method, signal, timeoutMs, header, input, contextValues) => next.stream(method, signal, timeoutMs, header, input, contextValues),
    };
  };

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
      cache.invalidate(fullName(method), { keyPrefix: cacheKeyPrefix(fullName(method), requestKeyEncoder(method.input)(request)) });
    },
    clear: () => cache.clear(),
    stats: () => cache.stats(),
  });
}

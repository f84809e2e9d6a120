// Reads the sluice.v1 method and service options of one service, merges the service defaults into
// each method field by field, fills in defaults, and reports every invalid combination or value.
import { getOption, hasOption, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import {
  CacheEviction,
  method as methodExt,
  service as serviceExt,
  type MethodPolicy,
  type ServicePolicy,
} from "../gen/sluice/v1/options_pb.js";
import type { CachePlan, EvictionName, HedgePlan, IdempotencyName, LimitPlan, MethodPlan, RetryPlan, ServicePlan } from "./plan.js";
import type { Problems, Report } from "./problems.js";
import { resolveRoutingKeyPath } from "./routing-key-path.js";
import { toConnectCodes } from "./status-codes.js";
import { checkCache, checkHedge, checkNotNegative, checkRetry } from "./validate-fields.js";
import { checkInvalidates } from "./invalidates.js";
import { readLimit } from "./limit-policy.js";
import { readAdaptiveDelay } from "./adaptive-delay.js";

const M = "(sluice.v1.method)";
const S = "(sluice.v1.service)";

/** Defaults filled in where neither the method nor the service sets a retry field. */
export const retryDefaults = { initialBackoffMs: 100, maxBackoffMs: 5000, backoffMultiplier: 2, retryableCodes: ["Unavailable"] } as const;

const idempotencyNames: Readonly<Record<MethodOptions_IdempotencyLevel, IdempotencyName>> = {
  [MethodOptions_IdempotencyLevel.IDEMPOTENCY_UNKNOWN]: "unknown",
  [MethodOptions_IdempotencyLevel.IDEMPOTENT]: "idempotent",
  [MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS]: "no-side-effects",
};

const evictionNames: Readonly<Record<number, EvictionName>> = {
  [CacheEviction.UNSPECIFIED]: "tinylfu",
  [CacheEviction.LRU]: "lru",
  [CacheEviction.LFU]: "lfu",
  [CacheEviction.ARC]: "arc",
  [CacheEviction.TINY_LFU]: "tinylfu",
};

const kindNames: Readonly<Record<DescMethod["methodKind"], string>> = {
  unary: "unary",
  server_streaming: "server-streaming",
  client_streaming: "client-streaming",
  bidi_streaming: "bidi-streaming",
};

/** Reads, merges and validates the policies of every method of `service`, reporting to `problems`. */
export function readServicePlan(service: DescService, problems: Problems): ServicePlan {
  const svc = hasOption(service, serviceExt) ? getOption(service, serviceExt) : undefined;
  let serviceLimit: LimitPlan | undefined;
  if (svc !== undefined) {
    const report = problems.at(service);
    checkNotNegative(svc.timeoutMs, `${S}.timeout_ms`, report);
    if (svc.retry !== undefined) {
      checkRetry(svc.retry, `${S}.retry`, true, report);
      const { initialBackoffMs, maxBackoffMs } = svc.retry;
      if (maxBackoffMs > 0n && maxBackoffMs < (initialBackoffMs > 0n ? initialBackoffMs : 100n)) {
        report(`${S}.retry.max_backoff_ms`, `must be >= initial_backoff_ms (${initialBackoffMs > 0n ? initialBackoffMs : 100n}), got ${maxBackoffMs}`);
      }
      toConnectCodes(svc.retry.retryableCodes, `${S}.retry.retryable_codes`, report);
    }
    if (svc.hedge !== undefined) {
      checkHedge(svc.hedge, `${S}.hedge`, true, report);
      toConnectCodes(svc.hedge.nonFatalCodes, `${S}.hedge.non_fatal_codes`, report);
    }
    if (svc.limit !== undefined) {
      serviceLimit = readLimit(svc.limit, `${S}.limit`, report);
    }
  }
  const methods = service.methods.map((method) => readMethodPlan(method, svc, serviceLimit, problems.at(service, method)));
  checkInvalidates(methods, (method) => problems.at(service, method));
  return { service, methods, rxjsUnary: svc?.rxjsUnary ?? false };
}

function readMethodPlan(method: DescMethod, svc: ServicePolicy | undefined, serviceLimit: LimitPlan | undefined, report: Report): MethodPlan {
  const own = hasOption(method, methodExt) ? getOption(method, methodExt) : undefined;
  const idempotency = idempotencyNames[method.idempotency] ?? "unknown";
  const level = MethodOptions_IdempotencyLevel[method.idempotency] ?? String(method.idempotency);
  const kind = method.methodKind;
  const sideEffectFree = idempotency === "no-side-effects";
  const plan: { -readonly [K in keyof MethodPlan]: MethodPlan[K] } = { method, idempotency };

  const ownTimeout = own?.timeoutMs ?? 0n;
  checkNotNegative(ownTimeout, `${M}.timeout_ms`, report);
  const timeout = ownTimeout > 0n ? ownTimeout : (svc?.timeoutMs ?? 0n);
  if (timeout > 0n) {
    plan.timeoutMs = Number(timeout);
  }

  if (own?.cache !== undefined) {
    if (!sideEffectFree) {
      report(`${M}.cache`, `requires idempotency_level = NO_SIDE_EFFECTS, got ${level}`);
    }
    if (kind !== "unary") {
      report(`${M}.cache`, `is only allowed on unary methods, got a ${kindNames[kind]} method`);
    }
    plan.cache = readCache(own.cache, report);
  }

  plan.retry = readRetry(own, svc, idempotency, level, report);
  plan.hedge = readHedge(own, svc, sideEffectFree, level, kind, report);
  if (plan.retry !== undefined && plan.hedge !== undefined) {
    // A call either retries after a failure or hedges after a delay. A method's own option wins
    // over an inherited one; from service defaults alone a side-effect-free method hedges.
    if (own?.retry !== undefined && own.hedge !== undefined) {
      report(
        M,
        "sets both retry and hedge; a method has one: pick retry (resend after a failure, for idempotent methods) " +
          "or hedge (send copies after a delay, for side-effect-free methods) and remove the other",
      );
    }
    if (own?.retry !== undefined && own.hedge === undefined) plan.hedge = undefined;
    else plan.retry = undefined;
  }

  const path = own?.routingKey ?? "";
  if (path !== "") {
    if (kind === "client_streaming" || kind === "bidi_streaming") {
      report(`${M}.routing_key`, `is only allowed on unary and server-streaming methods, got a ${kindNames[kind]} method`);
    } else {
      plan.routingKey = resolveRoutingKeyPath(method.input, path, report);
    }
  }
  if (own !== undefined && own.invalidates.length > 0) {
    plan.invalidates = [...own.invalidates];
  }
  // A method's own limit replaces the service's default as a whole: algorithms do not mix.
  plan.limit = own?.limit !== undefined ? readLimit(own.limit, `${M}.limit`, report) : serviceLimit;
  return dropUndefined(plan);
}

function readCache(cache: NonNullable<MethodPolicy["cache"]>, report: Report): CachePlan {
  checkCache(cache, `${M}.cache`, report);
  const eviction = evictionNames[cache.eviction];
  if (eviction === undefined) {
    report(`${M}.cache.eviction`, `has unknown value ${cache.eviction} (accepted: CACHE_EVICTION_LRU, _LFU, _ARC, _TINY_LFU)`);
  }
  return {
    ttlMs: Number(cache.ttlMs),
    maxEntries: Number(cache.maxEntries),
    maxBytes: Number(cache.maxBytes),
    eviction: eviction ?? "tinylfu",
    staleWhileRevalidateMs: Number(cache.staleWhileRevalidateMs),
    keyHeaders: [...cache.keyHeaders],
  };
}

function readRetry(
  own: MethodPolicy | undefined,
  svc: ServicePolicy | undefined,
  idempotency: IdempotencyName,
  level: string,
  report: Report,
): RetryPlan | undefined {
  // Every method kind retries: a client-streaming or bidi call replays its request messages
  // within the runtime's replay bound (1 MiB per call, 16 MiB per channel).
  const inherited = idempotency !== "unknown" ? svc?.retry : undefined;
  const mine = own?.retry;
  if (mine !== undefined) {
    if (idempotency === "unknown") {
      report(`${M}.retry`, `requires idempotency_level = IDEMPOTENT or NO_SIDE_EFFECTS, got ${level}`);
    }
    checkRetry(mine, `${M}.retry`, inherited === undefined, report);
  }
  if (mine === undefined && inherited === undefined) {
    return undefined;
  }
  const pick = <T>(get: (r: NonNullable<MethodPolicy["retry"]>) => T, unset: T): T | undefined => {
    if (mine !== undefined && get(mine) !== unset) return get(mine);
    if (inherited !== undefined && get(inherited) !== unset) return get(inherited);
    return undefined;
  };
  const initialBackoffMs = Number(pick((r) => r.initialBackoffMs, 0n) ?? retryDefaults.initialBackoffMs);
  const ownMax = pick((r) => r.maxBackoffMs, 0n);
  const maxBackoffMs = ownMax !== undefined ? Number(ownMax) : Math.max(retryDefaults.maxBackoffMs, initialBackoffMs);
  const mineSetsBackoff = mine !== undefined && (mine.maxBackoffMs !== 0n || mine.initialBackoffMs !== 0n);
  if (ownMax !== undefined && maxBackoffMs > 0 && initialBackoffMs > 0 && maxBackoffMs < initialBackoffMs && mineSetsBackoff) {
    report(`${M}.retry.max_backoff_ms`, `must be >= initial_backoff_ms (${initialBackoffMs}), got ${maxBackoffMs}`);
  }
  const codes = mine !== undefined && mine.retryableCodes.length > 0 ? mine.retryableCodes : (inherited?.retryableCodes ?? []);
  const codesField = mine !== undefined && mine.retryableCodes.length > 0 ? `${M}.retry.retryable_codes` : undefined;
  const retryableCodes = toConnectCodes(codes, codesField ?? `${S}.retry.retryable_codes`, codesField ? report : () => {});
  return {
    maxAttempts: pick((r) => r.maxAttempts, 0) ?? 0,
    initialBackoffMs,
    maxBackoffMs,
    backoffMultiplier: pick((r) => r.backoffMultiplier, 0) ?? retryDefaults.backoffMultiplier,
    retryableCodes: retryableCodes.length > 0 ? retryableCodes : [...retryDefaults.retryableCodes],
  };
}

function readHedge(
  own: MethodPolicy | undefined,
  svc: ServicePolicy | undefined,
  sideEffectFree: boolean,
  level: string,
  kind: DescMethod["methodKind"],
  report: Report,
): HedgePlan | undefined {
  // A service's hedge default reaches its unary methods only: hedging a stream that may wait
  // long for its first message (a watch) would double it, so a streaming method hedges only when
  // it says so itself. The runtime commits a hedged stream at its first response message and
  // replays request streams within its replay bound.
  const inherited = sideEffectFree && kind === "unary" ? svc?.hedge : undefined;
  const mine = own?.hedge;
  if (mine !== undefined) {
    if (!sideEffectFree) {
      report(`${M}.hedge`, `requires idempotency_level = NO_SIDE_EFFECTS, got ${level}`);
    }
    checkHedge(mine, `${M}.hedge`, inherited === undefined, report);
  }
  if (mine === undefined && inherited === undefined) {
    return undefined;
  }
  const attempts = mine !== undefined && mine.maxAttempts !== 0 ? mine.maxAttempts : (inherited?.maxAttempts ?? 0);
  const delay = mine !== undefined && mine.hedgingDelayMs !== 0n ? mine.hedgingDelayMs : (inherited?.hedgingDelayMs ?? 0n);
  const ownCodes = mine !== undefined && mine.nonFatalCodes.length > 0;
  const codes = ownCodes ? mine.nonFatalCodes : (inherited?.nonFatalCodes ?? []);
  const adaptiveDelay = readAdaptiveDelay(mine, inherited, { method: `${M}.hedge`, service: `${S}.hedge` }, report);
  return {
    maxAttempts: attempts,
    hedgingDelayMs: Number(delay),
    nonFatalCodes: toConnectCodes(codes, `${M}.hedge.non_fatal_codes`, ownCodes ? report : () => {}),
    ...(adaptiveDelay !== undefined ? { adaptiveDelay } : {}),
  };
}

/** Removes keys whose value is `undefined`, so that plans compare and print cleanly. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

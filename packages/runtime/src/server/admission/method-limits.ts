// The limits of one method or service (`limits.methods` entries and limits declared in the .proto),
// and the lookup from a call's path to the entry that applies: the method's own, else its service's.
import { createLimitAlgorithm, type LimitEnv } from "../../limit/create-limit.js";
import { createLimiter, type Limiter } from "../../limit/limiter.js";
import { createTokenBucket, type TokenBucket } from "../../limit/token-bucket.js";
import type { Schedule } from "../../limit/wait-queue.js";
import type { MethodLimitsOptions } from "./admission-options.js";

/** The live limits of one `limits.methods` entry (or of the server itself). @private */
export interface LimitSet {
  /** The entry's key (`"/pkg.Service/Method"`, `"pkg.Service"`, or `"*"` for the server). */
  readonly key: string;
  readonly limiter?: Limiter<string>;
  /** Whether `limiter` has a wait queue (admission may then wait). */
  readonly queued: boolean;
  readonly bucket?: TokenBucket;
}

/** Clock, randomness and timers for the limits. @private */
export interface LimitsEnv extends LimitEnv {
  readonly schedule?: Schedule;
}

/**
 * Builds the limits of one entry; `field` prefixes error messages (`limits.methods["/a.B/C"]`).
 * `partitionOf` (server-wide only) names a call's partition from its context string.
 * @throws Error naming the field when a setting is out of range.
 * @private
 */
export function createLimitSet(
  key: string,
  options: MethodLimitsOptions,
  env: LimitsEnv,
  field: string,
  partitions?: { shares: Readonly<Record<string, number>>; partitionOf: (context: string) => string | undefined },
): LimitSet {
  const withField = <T>(build: () => T, prefix = field): T => {
    try {
      return build();
    } catch (error) {
      throw new Error(`${prefix}.${(error as Error).message}`);
    }
  };
  if (options.concurrency === undefined && options.queue !== undefined) {
    throw new Error(`${field}.queue: needs ${field}.concurrency (a queue waits for a concurrency slot)`);
  }
  if (options.concurrency === undefined && partitions !== undefined) {
    throw new Error(`${field}.partitions: needs ${field}.concurrency (partitions share a concurrency limit)`);
  }
  const spec = options.concurrency;
  const limiter =
    spec === undefined
      ? undefined
      : withField(() => createLimiter({ algorithm: createLimitAlgorithm(spec, env), queue: options.queue, partitions, now: env.now, schedule: env.schedule }));
  const rate = options.rate;
  const bucket = rate === undefined ? undefined : withField(() => createTokenBucket({ ...rate, now: env.now }), `${field}.rate`);
  return { key, limiter, queued: limiter !== undefined && options.queue !== undefined, bucket };
}

/** The service part of a method path (`"/pkg.Service/Method"` → `"pkg.Service"`). @private */
export function serviceOf(path: string): string {
  const slash = path.indexOf("/", 1);
  return slash > 0 ? path.slice(1, slash) : path;
}

/** The per-method limits of a server: the lookup by call path and every entry, for stats. @private */
export interface MethodLimits {
  /** The entry that applies to the call at `path`, if any. */
  readonly lookup: (path: string) => LimitSet | undefined;
  /** Every entry, keyed as `LimitSet.key`. */
  readonly sets: readonly LimitSet[];
}

/**
 * Builds every `limits.methods` entry and every limit `declared` in the .proto (by method path),
 * and returns the lookup by path (cached per path): the method's `limits.methods` entry, else its
 * declared limit, else its service's `limits.methods` entry.
 * @throws Error naming `limits.methods["<key>"]` (or `declared["<path>"]`) for a malformed key or a bad setting.
 * @private
 */
export function createMethodLimits(
  methods: Readonly<Record<string, MethodLimitsOptions>> | undefined,
  env: LimitsEnv,
  declared: ReadonlyMap<string, MethodLimitsOptions> = new Map(),
): MethodLimits {
  const byKey = new Map<string, LimitSet>();
  for (const [key, options] of Object.entries(methods ?? {})) {
    const field = `limits.methods["${key}"]`;
    if (!/^(\/[^/\s]+\/[^/\s]+|[^/\s]+)$/.test(key)) {
      throw new Error(`${field}: keys must be a method path "/pkg.Service/Method" or a service name "pkg.Service"`);
    }
    byKey.set(key, createLimitSet(key, options ?? {}, env, field));
  }
  const byDeclaredPath = new Map<string, LimitSet>();
  for (const [path, options] of declared) {
    if (!byKey.has(path)) byDeclaredPath.set(path, createLimitSet(path, options, env, `declared["${path}"]`));
  }
  const byPath = new Map<string, LimitSet | undefined>();
  const lookup = (path: string): LimitSet | undefined => {
    if (byKey.size === 0 && byDeclaredPath.size === 0) return undefined;
    if (byPath.has(path)) return byPath.get(path);
    const set = byKey.get(path) ?? byDeclaredPath.get(path) ?? byKey.get(serviceOf(path));
    if (byPath.size < 10_000) byPath.set(path, set); // unknown paths come from clients: bound the cache
    return set;
  };
  return { lookup, sets: [...byKey.values(), ...byDeclaredPath.values()] };
}

// Maps a target's scheme to the resolver that serves it: `static`, `dns`, `etcd` and `registry`
// built in, more added with registerResolver().

import type { Resolver } from "../resolver.js";
import { parseDnsTarget, parseRegistryTarget, parseTargetUri, formatAddress, type TargetUri } from "../target.js";
import type { Timers } from "../timers.js";
import { defaultMemoryRegistry, type MemoryRegistry } from "../../discovery/memory-registry.js";
import { createDnsResolver } from "./dns-resolver.js";
import { createEtcdResolverFromTarget } from "./etcd-resolver.js";
import { createStaticResolverFromTarget } from "./static-resolver.js";

/** Options handed to every resolver factory; the `dns` scheme reads the DNS fields. */
export interface CreateResolverOptions {
  /** DNS server (`ip[:port]`) for `dns:` targets; the target's authority (`dns://ip:port/name`) wins. */
  readonly dnsServer?: string;
  /** Force SRV (true) or A/AAAA (false) for `dns:` targets; default: SRV for `_service._tcp.name`. */
  readonly srv?: boolean;
  /** Re-resolution period in ms (default 30000). */
  readonly refreshIntervalMs?: number;
  /** Minimum time between refresh()-triggered resolutions in ms (default 1000). */
  readonly minRefreshIntervalMs?: number;
  /** Time allowed for one DNS query try in ms (default 5000). */
  readonly queryTimeoutMs?: number;
  /** Timer functions (tests). */
  readonly timers?: Timers;
  /** Randomness in [0, 1) (default `Math.random`): the order of a `dns:` resolver's endpoints; a channel passes its own. */
  readonly random?: () => number;
  /**
   * Settings of other schemes, keyed by scheme: `etcd` takes `EtcdTargetOptions` (endpoints,
   * TLS, …), `registry` a `MemoryRegistry` (default the process-wide one); resolvers added with
   * `registerResolver` read their own key.
   */
  readonly schemes?: Readonly<Record<string, unknown>>;
}

/** Builds a resolver for a target of one scheme (the target already split by `parseTargetUri`). */
export type ResolverFactory = (target: TargetUri, options: CreateResolverOptions) => Resolver;

const factories = new Map<string, ResolverFactory>([
  ["static", (target) => createStaticResolverFromTarget(target.raw)],
  ["dns", createDnsResolverFromTarget],
  ["etcd", (target, options) => createEtcdResolverFromTarget(target, options.schemes?.etcd, options.timers)],
  ["registry", createRegistryResolverFromTarget],
]);

/**
 * Registers (or replaces) the resolver factory for `scheme`, for example `etcd`.
 *
 * @example
 * registerResolver("etcd", (target, options) => createEtcdResolver(target, options.schemes?.etcd));
 */
export function registerResolver(scheme: string, factory: ResolverFactory): void {
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) {
    throw new Error(`registerResolver: scheme "${scheme}" must be lower-case letters, digits, "+", "." or "-"`);
  }
  factories.set(scheme, factory);
}

/** The schemes createResolver() accepts, sorted. */
export function registeredSchemes(): string[] {
  return [...factories.keys()].sort();
}

/**
 * Creates the resolver for a channel target, chosen by its scheme (a bare `host:port` is `dns`).
 * Throws for a malformed target or an unknown scheme, naming the accepted forms or schemes.
 *
 * @example
 * createResolver("static:///127.0.0.1:8081,127.0.0.1:8082");
 * createResolver("dns:///inventory.internal:8080", { refreshIntervalMs: 10_000 });
 */
export function createResolver(target: string, options: CreateResolverOptions = {}): Resolver {
  const uri = parseTargetUri(target);
  const factory = factories.get(uri.scheme);
  if (factory === undefined) {
    throw new Error(
      `invalid channel target "${target}": unknown scheme "${uri.scheme}"; accepted schemes: ${registeredSchemes().join(", ")}`,
    );
  }
  return factory(uri, options);
}

function createDnsResolverFromTarget(uri: TargetUri, options: CreateResolverOptions): Resolver {
  const parsed = parseDnsTarget(uri, options.srv);
  const dnsServer =
    parsed.dnsServer !== undefined ? formatAddress(parsed.dnsServer.host, parsed.dnsServer.port) : options.dnsServer;
  return createDnsResolver({
    name: parsed.host,
    port: parsed.port,
    srv: parsed.srv,
    dnsServer,
    refreshIntervalMs: options.refreshIntervalMs,
    minRefreshIntervalMs: options.minRefreshIntervalMs,
    queryTimeoutMs: options.queryTimeoutMs,
    timers: options.timers,
    random: options.random,
  });
}

function createRegistryResolverFromTarget(uri: TargetUri, options: CreateResolverOptions): Resolver {
  const { service } = parseRegistryTarget(uri);
  const registry = options.schemes?.registry ?? defaultMemoryRegistry;
  if (typeof registry !== "object" || registry === null || typeof (registry as MemoryRegistry).resolver !== "function") {
    throw new Error("registry: must be a registry from createMemoryRegistry()");
  }
  return (registry as MemoryRegistry).resolver(service);
}

// The `dns` resolver: resolves A/AAAA (or SRV: the lowest priority with addresses, weights kept)
// periodically and on rate-limited refresh(), keeps the last good list when DNS fails, and pushes
// the list, in this resolver's own random order, only when it changed.

import type { Endpoint, Resolver, ResolverListener } from "../resolver.js";
import { formatAddress, isIpAddress } from "../target.js";
import { unrefTimers, type Timers } from "../timers.js";
import { createNodeDnsQuery, errorCode, isNoRecordsError, type DnsQuery, type SrvRecord } from "./dns-query.js";
import { createEndpointOrder } from "./endpoint-order.js";

/** Timer functions a resolver uses; the defaults `unref()` their timers. */
export type ResolverTimers = Timers;

/** Options of {@link createDnsResolver}. */
export interface DnsResolverOptions {
  /** Name to resolve: a host for A/AAAA, or `_service._tcp.name` for SRV. */
  readonly name: string;
  /** Port of the resolved A/AAAA addresses; required unless `srv`. */
  readonly port?: number;
  /** Resolve SRV records of `name` (ports and weights from the records). Default false. */
  readonly srv?: boolean;
  /** DNS server to ask (`ip`, `ip:port`, `[ipv6]:port`); default: the system's resolver. */
  readonly dnsServer?: string;
  /** Re-resolution period in ms (default 30000). */
  readonly refreshIntervalMs?: number;
  /** Minimum time between two resolutions started by `refresh()`, in ms (default 1000, or `refreshIntervalMs` if smaller). */
  readonly minRefreshIntervalMs?: number;
  /** First retry delay after a failed resolution, doubling up to `refreshIntervalMs` (default 1000). */
  readonly retryInitialMs?: number;
  /** Time allowed for one DNS query try, in ms (default 5000). */
  readonly queryTimeoutMs?: number;
  /** Monotonic clock in ms (default `performance.now`). */
  readonly now?: () => number;
  /** Timer functions (default: global timers, unref'd). */
  readonly timers?: ResolverTimers;
  /** DNS lookups (default: node:dns, see `createNodeDnsQuery`). */
  readonly query?: DnsQuery;
  /**
   * Randomness in [0, 1) (default `Math.random`) for the order of the pushed list; a channel passes
   * its own, so tests are deterministic.
   */
  readonly random?: () => number;
}

/**
 * Creates a DNS resolver. It resolves at `start()`, then every `refreshIntervalMs` (sooner, with
 * doubling delays, after a failure) and after `refresh()` (at most once per
 * `minRefreshIntervalMs`). A failed lookup, or one that finds no records, is reported with
 * `onError` and never replaces the last good list. An IP-literal name is pushed as is, without a
 * lookup.
 *
 * Each resolver (one per channel) pushes its endpoints in its own random order, kept while the set
 * is unchanged, so pick-first clients spread over the fleet instead of all using the first address.
 * SRV: only the lowest-priority group of records whose targets have addresses is used (a higher
 * priority only when no target of a lower one resolves); within it each record's weight becomes
 * `Endpoint.weight` (for weighted pickers) and also weights the order as RFC 2782 does (for
 * pick-first). SRV priority and target are in `metadata`.
 *
 * @example
 * createDnsResolver({ name: "inventory.internal", port: 8080, dnsServer: "10.0.0.2" });
 */
export function createDnsResolver(options: DnsResolverOptions): Resolver {
  const srv = options.srv ?? false;
  const refreshIntervalMs = options.refreshIntervalMs ?? 30_000;
  const minRefreshIntervalMs = options.minRefreshIntervalMs ?? Math.min(1000, refreshIntervalMs);
  const retryInitialMs = options.retryInitialMs ?? 1000;
  validate(options, srv, refreshIntervalMs, minRefreshIntervalMs, retryInitialMs);
  const now = options.now ?? (() => performance.now());
  const timers = options.timers ?? unrefTimers;
  const query =
    options.query ?? createNodeDnsQuery({ server: options.dnsServer, timeoutMs: options.queryTimeoutMs });
  const order = createEndpointOrder(options.random ?? Math.random);

  let listener: ResolverListener | undefined;
  let closed = false;
  let inFlight = false;
  let refreshWanted = false;
  let lastStartAt = Number.NEGATIVE_INFINITY;
  let timer: unknown;
  let timerDueAt = Number.POSITIVE_INFINITY;
  let failures = 0;
  let lastKey: string | undefined;

  function schedule(delayMs: number): void {
    if (timer !== undefined) {
      timers.clearTimeout(timer);
    }
    timerDueAt = now() + delayMs;
    timer = timers.setTimeout(() => {
      timer = undefined;
      timerDueAt = Number.POSITIVE_INFINITY;
      run();
    }, delayMs);
  }

  function run(): void {
    if (closed || listener === undefined) {
      return;
    }
    inFlight = true;
    lastStartAt = now();
    refreshWanted = false;
    resolveOnce().then(
      (endpoints) => finish(endpoints, undefined),
      (error: unknown) => finish(undefined, error),
    );
  }

  function finish(endpoints: Endpoint[] | undefined, error: unknown): void {
    inFlight = false;
    if (closed || listener === undefined) {
      return;
    }
    if (endpoints !== undefined) {
      failures = 0;
      const ordered = order.order(endpoints);
      const key = JSON.stringify(ordered);
      if (key !== lastKey) {
        lastKey = key;
        listener.onEndpoints(ordered);
      }
    } else {
      failures++;
      listener.onError(describeFailure(error));
    }
    if (refreshWanted) {
      refreshWanted = false;
      schedule(Math.max(0, lastStartAt + minRefreshIntervalMs - now()));
    } else if (failures > 0) {
      schedule(Math.min(refreshIntervalMs, retryInitialMs * 2 ** Math.min(failures - 1, 30)));
    } else {
      schedule(refreshIntervalMs);
    }
  }

  async function resolveOnce(): Promise<Endpoint[]> {
    if (!srv) {
      const port = options.port as number;
      const ips = isIpAddress(options.name) ? [options.name] : await query.addresses(options.name);
      return uniqueEndpoints(ips.map((ip) => ({ address: formatAddress(ip, port) })));
    }
    const records = await query.srv(options.name);
    return srvEndpoints(records, query);
  }

  function describeFailure(error: unknown): Error {
    const code = errorCode(error);
    const detail = code ?? (typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error));
    const what = srv ? `SRV ${options.name}` : `${options.name}`;
    const kept = lastKey === undefined ? "no endpoints yet" : "keeping the last good endpoint list";
    return new Error(`dns resolution of ${what} failed (${detail}); ${kept}`, { cause: error });
  }

  return {
    start(l: ResolverListener): void {
      if (listener !== undefined) {
        throw new Error("resolver already started");
      }
      if (closed) {
        return;
      }
      listener = l;
      schedule(0);
    },
    refresh(): void {
      if (closed || listener === undefined) {
        return;
      }
      if (inFlight) {
        refreshWanted = true;
        return;
      }
      const delay = Math.max(0, lastStartAt + minRefreshIntervalMs - now());
      if (now() + delay < timerDueAt) {
        schedule(delay);
      }
    },
    close(): void {
      if (closed) {
        return;
      }
      closed = true;
      if (timer !== undefined) {
        timers.clearTimeout(timer);
        timer = undefined;
      }
      if (options.query === undefined) {
        query.cancel();
      }
    },
  };
}

/**
 * The endpoints of the lowest-priority SRV records whose targets have addresses (RFC 2782: a client
 * uses a higher priority only when the lower ones cannot be reached; here, when none of their targets
 * resolves). A target with no addresses is skipped; any other lookup failure fails the resolution.
 */
async function srvEndpoints(records: readonly SrvRecord[], query: DnsQuery): Promise<Endpoint[]> {
  const priorities = [...new Set(records.map((r) => r.priority))].sort((a, b) => a - b);
  for (const priority of priorities) {
    const endpoints = await srvGroupEndpoints(records.filter((r) => r.priority === priority), query);
    if (endpoints.length > 0) return endpoints;
  }
  const err: NodeJS.ErrnoException = new Error("no SRV target has an address");
  err.code = "ENODATA";
  throw err;
}

/** The endpoints of SRV records of one priority, each address weighted by its records' weights. */
async function srvGroupEndpoints(records: readonly SrvRecord[], query: DnsQuery): Promise<Endpoint[]> {
  const allZero = records.every((r) => r.weight === 0);
  const byAddress = new Map<string, Endpoint>();
  const resolved = await Promise.all(
    records.map(async (r) => {
      try {
        return isIpAddress(r.name) ? [r.name] : await query.addresses(r.name);
      } catch (e) {
        if (isNoRecordsError(e)) {
          return [];
        }
        throw e;
      }
    }),
  );
  records.forEach((r, i) => {
    // RFC 2782: weight 0 is "very rarely" when others have weight; all-zero means equal shares.
    const weight = allZero ? 1 : r.weight === 0 ? 0.01 : r.weight;
    for (const ip of resolved[i]) {
      const address = formatAddress(ip, r.port);
      const prev = byAddress.get(address);
      byAddress.set(address, {
        address,
        weight: (prev?.weight ?? 0) + weight,
        metadata: prev?.metadata ?? { "srv.target": r.name, "srv.priority": String(r.priority) },
      });
    }
  });
  return [...byAddress.values()];
}

/** `endpoints` without repeated addresses. */
function uniqueEndpoints(endpoints: Endpoint[]): Endpoint[] {
  return [...new Map(endpoints.map((e) => [e.address, e])).values()];
}

function validate(o: DnsResolverOptions, srv: boolean, refresh: number, min: number, retry: number): void {
  if (typeof o.name !== "string" || o.name === "") {
    throw new Error(`createDnsResolver: name must be a non-empty host name, got ${JSON.stringify(o.name)}`);
  }
  if (!srv && !(Number.isInteger(o.port) && (o.port as number) >= 1 && (o.port as number) <= 65535)) {
    throw new Error(`createDnsResolver: port must be an integer in 1-65535 for A/AAAA resolution, got ${o.port}`);
  }
  if (!(refresh > 0 && Number.isFinite(refresh))) {
    throw new Error(`createDnsResolver: refreshIntervalMs must be a finite number > 0, got ${refresh}`);
  }
  if (!(min >= 0 && Number.isFinite(min))) {
    throw new Error(`createDnsResolver: minRefreshIntervalMs must be a finite number >= 0, got ${min}`);
  }
  if (!(retry > 0 && Number.isFinite(retry))) {
    throw new Error(`createDnsResolver: retryInitialMs must be a finite number > 0, got ${retry}`);
  }
}

// The DNS lookups the dns resolver needs (addresses of a name, SRV records), on node:dns, behind a
// small interface so the resolver's scheduling can be tested with a scripted DNS.

import { lookup, Resolver as NodeDnsResolver } from "node:dns/promises";

/** One SRV record (RFC 2782). */
export interface SrvRecord {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

/** The lookups a dns resolver makes. Failures reject with an `Error` carrying a DNS `code`. */
export interface DnsQuery {
  /** IPv4 and IPv6 addresses of `host`; rejects when there are none or the lookup fails. */
  addresses(host: string): Promise<string[]>;
  /** SRV records of `name`; rejects when there are none or the lookup fails. */
  srv(name: string): Promise<SrvRecord[]>;
  /** Abandons queries in flight (they reject with `ECANCELLED`). */
  cancel(): void;
}

/** Options of {@link createNodeDnsQuery}. */
export interface NodeDnsQueryOptions {
  /**
   * DNS server to ask, `ip`, `ip:port` or `[ipv6]:port`. Without it, addresses come from the
   * system's resolver (`getaddrinfo`, which honours /etc/hosts) and SRV from the system's servers.
   */
  readonly server?: string;
  /** Time allowed for one try of one query, in ms (default 5000). */
  readonly timeoutMs?: number;
  /** Tries per query before giving up (default 2). */
  readonly tries?: number;
}

/** DNS error codes that mean "this name has no such records", as opposed to a failed lookup. */
const noRecordCodes = new Set(["ENODATA", "ENOTFOUND", "NOTFOUND", "NODATA"]);

/** Whether a DNS error says the name has no records (NXDOMAIN / no data) rather than a failure. */
export function isNoRecordsError(error: unknown): boolean {
  return noRecordCodes.has(errorCode(error) ?? "");
}

/** The `code` of a DNS / system error (duck-typed: such errors may come from another realm). */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

/**
 * Creates a {@link DnsQuery} on node:dns. With a `server`, A and AAAA are asked of it directly
 * (both; a name needs either); any failure other than "no records" fails the whole lookup.
 */
export function createNodeDnsQuery(options: NodeDnsQueryOptions = {}): DnsQuery {
  const timeoutMs = options.timeoutMs ?? 5000;
  const tries = options.tries ?? 2;
  if (!(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    throw new Error(`dns query timeoutMs: ${timeoutMs} is not a positive integer`);
  }
  if (!(Number.isInteger(tries) && tries >= 1)) {
    throw new Error(`dns query tries: ${tries} is not an integer >= 1`);
  }
  const resolver = new NodeDnsResolver({ timeout: timeoutMs, tries });
  if (options.server !== undefined) {
    resolver.setServers([options.server]);
  }
  const useLookup = options.server === undefined;

  async function addresses(host: string): Promise<string[]> {
    if (useLookup) {
      const found = await lookup(host, { all: true, verbatim: true });
      return found.map((a) => a.address);
    }
    const results = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const out: string[] = [];
    let noRecords: unknown;
    for (const r of results) {
      if (r.status === "fulfilled") {
        out.push(...r.value);
      } else if (isNoRecordsError(r.reason)) {
        noRecords = r.reason;
      } else {
        throw r.reason;
      }
    }
    if (out.length === 0) {
      throw noRecords ?? new Error(`no addresses for ${host}`);
    }
    return out;
  }

  return {
    addresses,
    async srv(name: string): Promise<SrvRecord[]> {
      const records = await resolver.resolveSrv(name);
      return records.map((r) => ({ name: r.name, port: r.port, priority: r.priority, weight: r.weight }));
    },
    cancel(): void {
      resolver.cancel();
    },
  };
}

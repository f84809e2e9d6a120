// The `static` resolver: a fixed endpoint list, pushed once after start().

import type { Endpoint, Resolver, ResolverListener } from "../resolver.js";
import { formatAddress, parseStaticTarget, parseTargetUri, type HostPort } from "../target.js";

/**
 * Creates a resolver that pushes `endpoints` once, asynchronously after `start()`; `refresh()`
 * does nothing since the list never changes.
 *
 * @example
 * createStaticResolver([{ address: "127.0.0.1:8081" }, { address: "127.0.0.1:8082", weight: 2 }]);
 */
export function createStaticResolver(endpoints: readonly Endpoint[]): Resolver {
  if (endpoints.length === 0) {
    throw new Error("createStaticResolver: endpoints is empty; give at least one { address: \"host:port\" }");
  }
  for (const e of endpoints) {
    if (e.weight !== undefined && !(e.weight > 0 && Number.isFinite(e.weight))) {
      throw new Error(`createStaticResolver: weight of "${e.address}" is ${e.weight}; weights must be finite and > 0`);
    }
  }
  const list = endpoints.map((e) => ({ ...e }));
  let closed = false;
  let started = false;
  return {
    start(listener: ResolverListener): void {
      if (started) {
        throw new Error("resolver already started");
      }
      started = true;
      queueMicrotask(() => {
        if (!closed) {
          listener.onEndpoints(list);
        }
      });
    },
    refresh(): void {},
    close(): void {
      closed = true;
    },
  };
}

/** Creates a static resolver from a `static:///host:port,host:port` target. */
export function createStaticResolverFromTarget(target: string): Resolver {
  const parsed = parseStaticTarget(parseTargetUri(target));
  return createStaticResolver(dedupe(parsed.addresses).map((a) => ({ address: formatAddress(a.host, a.port) })));
}

function dedupe(addresses: readonly HostPort[]): HostPort[] {
  const seen = new Set<string>();
  return addresses.filter((a) => {
    const key = formatAddress(a.host.toLowerCase(), a.port);
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}

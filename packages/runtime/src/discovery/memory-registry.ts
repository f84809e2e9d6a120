// The embedded registry: servers register in process and `registry:///service` channels discover
// them, with the same resolver contract as etcd; for demos and tests that run without etcd.
import type { Endpoint, Resolver, ResolverListener } from "../channel/resolver.js";
import { validateServiceName } from "./etcd-naming.js";
import {
  advertisedAddress,
  validateAttributes,
  type ListeningServer,
  type RegistrationAttributes,
  type ServiceRegistration,
} from "./service-registration.js";

/** Options of {@link MemoryRegistry.register}. */
export interface MemoryRegistrationOptions extends RegistrationAttributes {
  /** Service to register under. */
  readonly service: string;
  /** Address to advertise (default the server's `host:port`). */
  readonly address?: string;
}

/** An in-process service registry. */
export interface MemoryRegistry {
  /**
   * Registers a server under a service; resolvers of that service get the new list at once. A
   * second registration of the same address replaces the first (until it is closed).
   */
  register(server: ListeningServer, options: MemoryRegistrationOptions): ServiceRegistration;
  /** The current endpoints of a service, sorted by address. */
  endpoints(service: string): Endpoint[];
  /** A resolver of a service, for `createChannel({ target: "registry:///service", resolver })`. */
  resolver(service: string): Resolver;
}

interface Entry {
  readonly id: number;
  readonly endpoint: Endpoint;
}

/**
 * Creates an empty registry. Resolvers push the complete list asynchronously after `start()` and
 * after every change (once per change burst, only when the list differs).
 *
 * @example
 * const registry = createMemoryRegistry();
 * const registration = registry.register(server, { service: "inventory", weight: 2 });
 * const channel = createChannel({ target: "registry:///inventory", resolver: registry.resolver("inventory") });
 * await registration.close(); // before server.close()
 */
export function createMemoryRegistry(): MemoryRegistry {
  const services = new Map<string, Map<string, Entry>>();
  const watchers = new Map<string, Set<() => void>>();
  let nextId = 1;

  const list = (service: string): Endpoint[] =>
    [...(services.get(service)?.values() ?? [])]
      .map((e) => e.endpoint)
      .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));

  const notify = (service: string): void => {
    for (const watcher of watchers.get(service) ?? []) watcher();
  };

  return {
    register(server, options) {
      const service = validateServiceName(options.service, "registry.service");
      const address = advertisedAddress(server, options.address, "registry");
      const weight = validateAttributes(options, "registry");
      const metadata = Object.fromEntries(Object.entries(options.metadata ?? {}).map(([k, v]) => [k, String(v)]));
      const entry: Entry = { id: nextId++, endpoint: { address, weight, metadata } };
      const entries = services.get(service) ?? new Map<string, Entry>();
      services.set(service, entries);
      entries.set(address, entry);
      notify(service);
      return {
        service,
        address,
        async close() {
          if (entries.get(address)?.id !== entry.id) return;
          entries.delete(address);
          notify(service);
        },
      };
    },
    endpoints(service) {
      return list(service);
    },
    resolver(service) {
      const name = validateServiceName(service, "registry.service");
      let listener: ResolverListener | undefined;
      let closed = false;
      let scheduled = false;
      let lastPushed: string | undefined;
      const push = (): void => {
        if (scheduled) return;
        scheduled = true;
        queueMicrotask(() => {
          scheduled = false;
          if (listener === undefined) return;
          const endpoints = list(name);
          const key = JSON.stringify(endpoints);
          if (key === lastPushed) return;
          lastPushed = key;
          listener.onEndpoints(endpoints);
        });
      };
      return {
        start(l) {
          if (listener !== undefined) throw new Error("resolver already started");
          if (closed) return;
          listener = l;
          const set = watchers.get(name) ?? new Set();
          watchers.set(name, set);
          set.add(push);
          push();
        },
        refresh() {},
        close() {
          closed = true;
          listener = undefined;
          watchers.get(name)?.delete(push);
        },
      };
    },
  };
}

/** The process-wide registry that `registry:///service` targets use when no other is given. */
export const defaultMemoryRegistry: MemoryRegistry = createMemoryRegistry();

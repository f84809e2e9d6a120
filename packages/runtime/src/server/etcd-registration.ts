// Registers a server in etcd for `etcd:///service` clients: key `<service>/<address>` under a
// lease kept alive, granted again when lost; close() revokes the lease, which deletes the key.
import type { Etcd3, Lease } from "etcd3";
import { createBackoff, type BackoffOptions } from "../channel/backoff.js";
import { unrefTimers, type Timers } from "../channel/timers.js";
import { openEtcdClient, validateEtcdConnection, type EtcdConnectionOptions } from "../discovery/etcd-client.js";
import { encodeEndpointValue, endpointKey, validateServiceName } from "../discovery/etcd-naming.js";
import {
  advertisedAddress,
  validateAttributes,
  type ListeningServer,
  type RegistrationAttributes,
  type ServiceRegistration,
} from "../discovery/service-registration.js";

/** Options of {@link registerWithEtcd}. */
export interface EtcdRegistrationOptions extends EtcdConnectionOptions, RegistrationAttributes {
  /** Service to register under (key prefix `<service>/`). */
  readonly service: string;
  /** Address clients dial (default the server's `host:port`; required when it listens on `0.0.0.0` or `::`). */
  readonly address?: string;
  /** Lease TTL in whole seconds (default 10): how long a crashed server stays listed. etcd may raise small values. */
  readonly ttlSeconds?: number;
  /** How long registerWithEtcd() waits for the first registration before it rejects (default 10000 ms). */
  readonly startTimeoutMs?: number;
  /** Delay between attempts while etcd is unreachable (default 100 ms growing ×1.6 to 2 s, ±20 % jitter). */
  readonly reconnectBackoff?: BackoffOptions;
  /** Timer functions (default: global timers, unref'd). */
  readonly timers?: Timers;
}

/** A live etcd registration. */
export interface EtcdRegistration extends ServiceRegistration {
  /** The etcd key, `<service>/<address>`. */
  readonly key: string;
  /** `"registered"` while the key is held under a live lease, `"registering"` while (re)granting, `"closed"` after close(). */
  readonly state: "registering" | "registered" | "closed";
  /** How many times the key was written: 1, plus one per re-registration after a lost lease. */
  readonly registrations: number;
  /**
   * Rewrites the value with new weight and metadata (each replaces the old one; omitted fields
   * go back to their defaults), under the same lease; watching clients see it within a watch
   * round trip. Lowering the weight before close() lets weighted pickers drain a server gently.
   */
  update(attributes: RegistrationAttributes): Promise<void>;
  /**
   * Revokes the lease, which deletes the key at once (clients drop the server within a watch
   * round trip), stops the keep-alive and closes the client it opened. Call it before closing
   * the server. If etcd is unreachable the key expires with the lease TTL instead.
   */
  close(): Promise<void>;
}

/**
 * Registers `server` in etcd as `<service>/<address>` with value
 * `{"Op":0,"Addr":address,"Metadata":{…metadata, weight}}` (etcd's gRPC naming layout, so Go
 * resolvers find it too) under a lease of `ttlSeconds` that is kept alive. If the lease is lost
 * (etcd down longer than the TTL, or revoked by someone else) it grants a new one and writes the
 * key again, with backoff, until close(). Resolves once the key is first written.
 *
 * @throws Error naming the bad field; rejects when etcd cannot be reached within `startTimeoutMs`.
 * @example
 * const server = await serve({ host: "10.0.0.7", port: 8081, routes });
 * const registration = await registerWithEtcd(server, { endpoints: ["10.0.0.5:2379"], service: "inventory", weight: 2 });
 * process.on("SIGTERM", async () => { await registration.close(); await server.close(); });
 */
export async function registerWithEtcd(server: ListeningServer, options: EtcdRegistrationOptions): Promise<EtcdRegistration> {
  const service = validateServiceName(options.service, "etcd.service");
  const address = advertisedAddress(server, options.address, "etcd");
  const weight = validateAttributes(options, "etcd");
  const connection = validateEtcdConnection(options, "etcd");
  const ttlSeconds = options.ttlSeconds ?? 10;
  if (!(Number.isInteger(ttlSeconds) && ttlSeconds >= 1)) {
    throw new Error(`etcd.ttlSeconds: must be an integer number of seconds >= 1, got ${String(options.ttlSeconds)}`);
  }
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  if (!(Number.isFinite(startTimeoutMs) && startTimeoutMs > 0)) {
    throw new Error(`etcd.startTimeoutMs: must be a finite number of milliseconds > 0, got ${String(options.startTimeoutMs)}`);
  }
  const backoff = createBackoff({ initialMs: 100, maxMs: 2000, ...options.reconnectBackoff });
  const timers = options.timers ?? unrefTimers;
  const key = endpointKey(service, address);
  let value = encodeEndpointValue(address, weight, options.metadata);
  const client: Etcd3 = connection.client ?? (await openEtcdClient(connection));

  let state: EtcdRegistration["state"] = "registering";
  let registrations = 0;
  let lease: Lease | undefined;
  let timer: unknown;
  let lastError: unknown;
  let firstWritten: (() => void) | undefined;

  function retry(failed: Lease, error: unknown): void {
    if (state === "closed" || lease !== failed) return;
    lease = undefined;
    lastError = error;
    state = "registering";
    failed.release();
    timer = timers.setTimeout(() => {
      timer = undefined;
      register();
    }, backoff.next());
  }

  function register(): void {
    if (state === "closed") return;
    const current = client.lease(ttlSeconds, { deadline: Date.now() + connection.callTimeoutMs });
    lease = current;
    current.on("lost", (error) => retry(current, error));
    current
      .put(key)
      .value(value)
      .exec()
      .then(
        () => {
          if (lease !== current) return;
          state = "registered";
          registrations++;
          backoff.reset();
          firstWritten?.();
        },
        (error: unknown) => retry(current, error),
      );
  }

  async function update(attributes: RegistrationAttributes): Promise<void> {
    const newWeight = validateAttributes(attributes, "etcd");
    if (state === "closed") throw new Error(`registration of "${key}" is closed`);
    value = encodeEndpointValue(address, newWeight, attributes.metadata);
    // While registering, the next write carries the new value.
    if (state === "registered" && lease !== undefined) await lease.put(key).value(value).exec();
  }

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= revokeAndClose();
    return closing;
  }

  async function revokeAndClose(): Promise<void> {
    state = "closed";
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
    const current = lease;
    lease = undefined;
    try {
      await current?.revoke({ deadline: Date.now() + connection.callTimeoutMs });
    } catch {
      // etcd unreachable: the key goes when the lease expires.
    } finally {
      if (connection.client === undefined) client.close();
    }
  }

  register();
  const started = await new Promise<boolean>((resolve) => {
    const giveUp = timers.setTimeout(() => resolve(false), startTimeoutMs);
    firstWritten = () => {
      timers.clearTimeout(giveUp);
      firstWritten = undefined;
      resolve(true);
    };
  });
  if (!started) {
    await close();
    const detail = lastError instanceof Error ? lastError.message : "no answer";
    throw new Error(
      `registerWithEtcd: could not register "${key}" in etcd at ${connection.endpoints.join(",")} within ${startTimeoutMs} ms (${detail})`,
      { cause: lastError },
    );
  }
  return {
    service,
    address,
    key,
    get state() {
      return state;
    },
    get registrations() {
      return registrations;
    },
    update,
    close,
  };
}

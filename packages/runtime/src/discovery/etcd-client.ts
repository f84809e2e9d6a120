// Opens the `etcd3` client that discovery and registration share: validated endpoints, a deadline
// on every unary call and fast reconnects (Sluice retries itself, so etcd3's breaker is off).
import type { Etcd3, IOptions } from "etcd3";
import { formatAddress, parseHostPort } from "../channel/target.js";

/** How to reach etcd; shared by the `etcd:` resolver and {@link registerWithEtcd}. */
export interface EtcdConnectionOptions {
  /** etcd client endpoints, `host:port` each (default `["127.0.0.1:2379"]`). */
  readonly endpoints?: readonly string[];
  /** Deadline of each unary etcd call (list, grant, put, revoke), in milliseconds (default 5000). */
  readonly callTimeoutMs?: number;
  /**
   * More `etcd3` client options (TLS `credentials`, `auth`, `grpcOptions`, …). `hosts` comes from
   * `endpoints`; Sluice sets `faultHandling` and the call deadline itself.
   */
  readonly clientOptions?: Omit<IOptions, "hosts" | "faultHandling" | "defaultCallOptions">;
  /** An `etcd3` client to use instead of opening one; it is not closed by Sluice. */
  readonly client?: Etcd3;
}

/** Connection options after validation. @private */
export interface EtcdConnection {
  readonly endpoints: readonly string[];
  readonly callTimeoutMs: number;
  readonly clientOptions: Omit<IOptions, "hosts" | "faultHandling" | "defaultCallOptions">;
  readonly client: Etcd3 | undefined;
}

const defaultEndpoints = ["127.0.0.1:2379"];

/**
 * Validates connection options; errors name `<field>.endpoints` and the like.
 *
 * @private
 */
export function validateEtcdConnection(options: EtcdConnectionOptions, field: string): EtcdConnection {
  const endpoints = options.endpoints ?? defaultEndpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    throw new Error(`${field}.endpoints: must be a non-empty array of "host:port" strings, got ${JSON.stringify(endpoints)}`);
  }
  const normalized = endpoints.map((endpoint: unknown) => {
    if (typeof endpoint !== "string") {
      throw new Error(`${field}.endpoints: each endpoint must be a "host:port" string, got ${JSON.stringify(endpoint)}`);
    }
    const text = endpoint.replace(/^https?:\/\//, "");
    let hostPort;
    try {
      hostPort = parseHostPort(text, text);
    } catch {
      throw new Error(`${field}.endpoints: "${endpoint}" is not "host:port" (IPv4, [IPv6]:port or hostname)`);
    }
    return formatAddress(hostPort.host, hostPort.port);
  });
  const callTimeoutMs = options.callTimeoutMs ?? 5000;
  if (!(Number.isFinite(callTimeoutMs) && callTimeoutMs > 0)) {
    throw new Error(`${field}.callTimeoutMs: must be a finite number of milliseconds > 0, got ${String(options.callTimeoutMs)}`);
  }
  return { endpoints: normalized, callTimeoutMs, clientOptions: options.clientOptions ?? {}, client: options.client };
}

/**
 * Opens an `etcd3` client (loaded on first use, so programs without etcd never load it). Unary
 * calls get `callTimeoutMs` as deadline; etcd3's retry and circuit breaker are replaced by
 * pass-through policies because the callers retry with their own backoff, and gRPC reconnects
 * within a second once etcd is back.
 *
 * @private
 */
export async function openEtcdClient(connection: EtcdConnection): Promise<Etcd3> {
  const [{ Etcd3: Client }, { noop }] = await Promise.all([import("etcd3"), import("cockatiel")]);
  return new Client({
    ...connection.clientOptions,
    hosts: [...connection.endpoints],
    grpcOptions: {
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 1000,
      "grpc.keepalive_time_ms": 10_000,
      "grpc.keepalive_timeout_ms": 5000,
      "grpc.use_local_subchannel_pool": 1,
      ...connection.clientOptions.grpcOptions,
    },
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + connection.callTimeoutMs }),
    faultHandling: { host: () => noop, global: noop },
  });
}

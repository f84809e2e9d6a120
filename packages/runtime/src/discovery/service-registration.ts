// What registering a server for discovery returns (etcd or the embedded registry), and the
// address a registration advertises.
import { formatAddress, isIpAddress, parseHostPort } from "../channel/target.js";

/** A server's entry in a discovery registry; `close()` removes it. */
export interface ServiceRegistration {
  /** The service it is registered under. */
  readonly service: string;
  /** The advertised `host:port`. */
  readonly address: string;
  /** Removes the entry (clients stop picking it), then frees what the registration holds. */
  close(): Promise<void>;
}

/** What a registration needs of a server: where it listens (a `Server` from `serve()` fits). */
export interface ListeningServer {
  readonly host: string;
  readonly port: number;
}

/**
 * The address to advertise: `address` when given (validated), else the server's host and port.
 * Throws naming `<field>.address` when the server listens on a wildcard (`0.0.0.0`, `::`), which
 * other hosts cannot dial.
 *
 * @private
 */
export function advertisedAddress(server: ListeningServer, address: string | undefined, field: string): string {
  if (address !== undefined) {
    let parsed;
    try {
      parsed = parseHostPort(address, address);
    } catch (e) {
      throw new Error(`${field}.address: must be "host:port" (IPv4, [IPv6]:port or hostname), got ${JSON.stringify(address)}`, { cause: e });
    }
    return formatAddress(parsed.host, parsed.port);
  }
  const host = server.host.replace(/^\[|\]$/g, "");
  if (host === "" || host === "0.0.0.0" || host === "::" || !(isIpAddress(host) || /^[A-Za-z0-9.-]+$/.test(host))) {
    throw new Error(
      `${field}.address: the server listens on "${server.host}", which clients cannot dial; give the address to advertise ("host:${server.port}")`,
    );
  }
  if (!(Number.isInteger(server.port) && server.port > 0 && server.port <= 65535)) {
    throw new Error(`${field}: the server's port must be an integer from 1 to 65535, got ${String(server.port)}`);
  }
  return formatAddress(host, server.port);
}

/** Weight and metadata a registration carries. */
export interface RegistrationAttributes {
  /** Relative weight for weighted pickers (finite, > 0; default 1). */
  readonly weight?: number;
  /** Free-form attributes (zone, version, …) clients see as `Endpoint.metadata`. */
  readonly metadata?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * Validates weight and metadata; errors name `<field>.weight` / `<field>.metadata`. Returns the
 * weight (1 when not given).
 *
 * @private
 */
export function validateAttributes(attributes: RegistrationAttributes, field: string): number {
  const weight = attributes.weight ?? 1;
  if (typeof weight !== "number" || !Number.isFinite(weight) || weight <= 0) {
    throw new Error(`${field}.weight: must be a finite number > 0, got ${String(attributes.weight)}`);
  }
  const metadata: unknown = attributes.metadata ?? {};
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw new Error(`${field}.metadata: must be an object of string, number or boolean values`);
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (!["string", "number", "boolean"].includes(typeof value)) {
      throw new Error(`${field}.metadata.${key}: must be a string, number or boolean, got ${typeof value}`);
    }
  }
  return weight;
}

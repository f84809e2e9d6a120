// etcd's gRPC naming layout (go.etcd.io/etcd/client/v3/naming/endpoints): keys `<service>/<id>`,
// values JSON `{"Op":0,"Addr":"host:port","Metadata":…}`; encoding, decoding and the endpoint list.
import type { Endpoint } from "../channel/resolver.js";
import { formatAddress, isServiceName, parseHostPort } from "../channel/target.js";

/** The `Op` of an endpoint that is present (etcd's `endpoints.Add`); `1` (Delete) is never listed. */
export const etcdOpAdd = 0;

/** Metadata values a registration may carry; weight goes in `weight`. */
export type EtcdMetadata = Readonly<Record<string, string | number | boolean>>;

/**
 * Checks a service name used as a key prefix: non-empty, no leading or trailing `/`, no
 * whitespace. Throws naming `field`.
 */
export function validateServiceName(service: unknown, field: string): string {
  if (typeof service !== "string" || !isServiceName(service)) {
    throw new Error(
      `${field}: must be a service name such as "inventory" or "prod/inventory" (no leading or trailing "/", no spaces), got ${JSON.stringify(service)}`,
    );
  }
  return service;
}

/** The prefix watched for `service`: `service/`, so that `foo` never matches `foo2/…`. */
export function servicePrefix(service: string): string {
  return `${service}/`;
}

/** The key an endpoint registers under: `service/address`, as etcd's Go endpoints manager does by convention. */
export function endpointKey(service: string, address: string): string {
  return `${servicePrefix(service)}${address}`;
}

/**
 * Encodes a registration as etcd's naming value. A weight other than 1 goes in
 * `Metadata.weight`; `Metadata` is `null` when there is nothing to carry, as Go writes it.
 */
export function encodeEndpointValue(address: string, weight: number, metadata: EtcdMetadata = {}): string {
  const meta: Record<string, string | number | boolean> = { ...metadata };
  if (weight !== 1) meta.weight = weight;
  return JSON.stringify({ Op: etcdOpAdd, Addr: address, Metadata: Object.keys(meta).length === 0 ? null : meta });
}

/**
 * Decodes one naming value into an endpoint, or `undefined` when it is not a present, valid
 * endpoint (bad JSON, `Op` not 0, `Addr` not `host:port`). `Metadata` may be any JSON: an
 * object's scalar fields become `Endpoint.metadata` (as strings); a positive finite `weight`
 * field (number or numeric string) becomes `Endpoint.weight`.
 */
export function decodeEndpointValue(value: string): Endpoint | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { Op, Addr, Metadata } = parsed as { Op?: unknown; Addr?: unknown; Metadata?: unknown };
  if ((Op ?? etcdOpAdd) !== etcdOpAdd || typeof Addr !== "string") return undefined;
  let address: string;
  try {
    const hostPort = parseHostPort(Addr, Addr);
    address = formatAddress(hostPort.host, hostPort.port);
  } catch {
    return undefined;
  }
  if (typeof Metadata !== "object" || Metadata === null || Array.isArray(Metadata)) {
    return { address };
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(Metadata as Record<string, unknown>)) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") metadata[k] = String(v);
  }
  const weight = Number(metadata.weight);
  const hasWeight = metadata.weight !== undefined && metadata.weight !== "" && Number.isFinite(weight) && weight > 0;
  return hasWeight ? { address, weight, metadata } : { address, metadata };
}

/**
 * The endpoint list of a service from its keys and values: invalid values skipped, one endpoint
 * per address (the first key in key order wins), sorted by address so equal sets compare equal.
 */
export function endpointsFromEntries(entries: Iterable<readonly [key: string, value: string]>): Endpoint[] {
  const sorted = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const byAddress = new Map<string, Endpoint>();
  for (const [, value] of sorted) {
    const endpoint = decodeEndpointValue(value);
    if (endpoint !== undefined && !byAddress.has(endpoint.address)) byAddress.set(endpoint.address, endpoint);
  }
  return [...byAddress.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

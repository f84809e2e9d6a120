// Header plumbing of the fast path: caller HeadersInit → node's outgoing header object, node's
// incoming headers → fetch Headers (pseudo-headers dropped), and grpc-timeout encoding.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http2";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";

/** The header argument of Connect's Transport methods (fetch's HeadersInit). */
export type HeadersInit = NonNullable<Parameters<Transport["unary"]>[3]>;

/** An HTTP field name (RFC 9110 token), lower-cased. */
const token = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/**
 * Adds the caller's headers to a node outgoing header object (names lower-cased). Values of a
 * repeated name become an array, as node sends one field per value. Throws INVALID_ARGUMENT for a
 * name that is not a token: node would destroy the whole session over it.
 * @private
 */
export function appendHeadersInit(target: OutgoingHttpHeaders, init: HeadersInit | undefined): void {
  if (init === undefined) return;
  if (init instanceof Headers) {
    init.forEach((value, key) => addValue(target, key, value));
  } else if (Array.isArray(init)) {
    for (const [key, value] of init as [string, string][]) addValue(target, checkedName(key), value);
  } else {
    for (const key of Object.keys(init)) {
      addValue(target, checkedName(key), (init as Record<string, string>)[key] as string);
    }
  }
}

function checkedName(key: string): string {
  const name = key.toLowerCase();
  if (!token.test(name)) throw new ConnectError(`invalid request header name ${JSON.stringify(key)}`, Code.InvalidArgument);
  return name;
}

function addValue(target: OutgoingHttpHeaders, key: string, value: string): void {
  const existing = target[key];
  if (existing === undefined) target[key] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else target[key] = [String(existing), value];
}

/** Converts node's incoming headers to fetch `Headers`, without the HTTP/2 pseudo-headers. @private */
export function toWebHeaders(nodeHeaders: IncomingHttpHeaders | undefined, skipPrefix?: string): Headers {
  const headers = new Headers();
  if (nodeHeaders === undefined) return headers;
  for (const key in nodeHeaders) {
    if (key.charCodeAt(0) === 58 /* ":" */) continue;
    if (skipPrefix !== undefined && key.startsWith(skipPrefix)) continue;
    const value = nodeHeaders[key];
    if (value === undefined) continue;
    if (typeof value === "string") headers.append(key, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else headers.append(key, String(value));
  }
  return headers;
}

/** A raw node header value as `Headers.get` gives it: repeated values joined with ", ", `null` when absent. @private */
export function joinedHeaderValue(value: string | string[] | number | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") : String(value);
}

/** Returns a single header value (the first one when repeated), or undefined. @private */
export function headerValue(nodeHeaders: IncomingHttpHeaders | undefined, key: string): string | undefined {
  const value = nodeHeaders?.[key];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value[0];
  return String(value);
}

/**
 * Encodes a timeout as a `grpc-timeout` value: at most 8 digits, in the finest unit that fits.
 * @private
 */
export function encodeGrpcTimeout(timeoutMs: number): string {
  const ms = Math.max(0, Math.ceil(timeoutMs));
  if (ms < 1e8) return `${ms}m`;
  const s = Math.ceil(ms / 1000);
  if (s < 1e8) return `${s}S`;
  const m = Math.ceil(s / 60);
  if (m < 1e8) return `${m}M`;
  return `${Math.min(99_999_999, Math.ceil(m / 60))}H`;
}

// The cache key of a call: the method's full name, the request's deterministic encoding, the values
// of the identity and key headers and the channel's call credentials, so one caller's answer is
// never served to another.
import { credentialEntries, type CredentialHeaders } from "../channel/call-credentials.js";

/** Headers always part of the key, so answers never cross credentials. */
export const IDENTITY_HEADERS: readonly string[] = ["authorization", "cookie"];

/** Request headers as a call passes them (Connect's `HeadersInit`). */
export type KeyHeaders = Headers | Record<string, string> | ReadonlyArray<readonly [string, string]> | Iterable<readonly [string, string]>;

/**
 * The key prefix shared by every caller's answer to one request: method and the request's text
 * from `requestKeyEncoder` (self-delimited, so no request's prefix matches another's key).
 */
export function cacheKeyPrefix(method: string, requestText: string): string {
  return `${method}\n${requestText}\n`;
}

/**
 * The lower-cased, sorted, deduplicated names of the headers that are part of the key: the
 * identity headers plus `keyHeaders`.
 */
export function keyHeaderNames(keyHeaders: readonly string[], identity: readonly string[] = IDENTITY_HEADERS): readonly string[] {
  return [...new Set([...identity, ...keyHeaders].map((h) => h.toLowerCase()))].sort();
}

/**
 * The value `new Headers(header).get(name)` would give (values of one name joined by ", "), read
 * without building a `Headers`; `name` is lower-case.
 */
export function headerValue(header: KeyHeaders, name: string): string | null {
  if (header instanceof Headers) return header.get(name);
  let value: string | null = null;
  if (Symbol.iterator in header) {
    for (const [n, v] of header as Iterable<readonly [string, string]>) {
      if (n.toLowerCase() === name) value = value === null ? v : `${value}, ${v}`;
    }
    return value;
  }
  const record = header as Record<string, string>;
  for (const n in record) {
    if (Object.prototype.hasOwnProperty.call(record, n) && n.toLowerCase() === name) value = value === null ? record[n]! : `${value}, ${record[n]!}`;
  }
  return value;
}

/**
 * The cache key of a call: `cacheKeyPrefix` followed by `name=value` of each header in `names`
 * (from `keyHeaderNames`), NUL-separated (a missing header is distinct from an empty one), then
 * `credentials` (the channel's call credentials from `credentialsKeyText`) when the call has them.
 */
export function cacheKey(method: string, requestText: string, header: KeyHeaders | undefined, names: readonly string[], credentials?: string): string {
  let key = cacheKeyPrefix(method, requestText);
  for (const name of names) {
    const value = header === undefined ? null : headerValue(header, name);
    key += value === null ? `${name}\u0001\u0000` : `${name}=${value}\u0000`;
  }
  return credentials === undefined ? key : `${key}\u0002${credentials}`;
}

const frozenTexts = new WeakMap<object, string>();

/**
 * The key text of the headers a channel's call credentials produced for a call: lower-cased
 * `name=value` pairs sorted by name, a later pair of one name replacing an earlier one (as the
 * channel sets them). Memoised for a frozen record (what `createTokenCredentials` returns).
 */
export function credentialsKeyText(headers: CredentialHeaders): string {
  const frozen = !(headers instanceof Headers) && Object.isFrozen(headers);
  if (frozen) {
    const known = frozenTexts.get(headers);
    if (known !== undefined) return known;
  }
  const byName = new Map<string, string>();
  for (const [name, value] of credentialEntries(headers)) byName.set(name.toLowerCase(), value);
  let text = "";
  for (const name of [...byName.keys()].sort()) text += `${name}=${byName.get(name)!}\u0000`;
  if (frozen) frozenTexts.set(headers, text);
  return text;
}

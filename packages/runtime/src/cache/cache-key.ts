// The cache key of a call: the method's full name, the request's deterministic binary encoding and
// the values of the identity and key headers, so one caller's answer is never served to another.

/** Headers always part of the key, so answers never cross credentials. */
export const IDENTITY_HEADERS: readonly string[] = ["authorization", "cookie"];

/** Request bytes as a string, one char per byte (keys are compared, never decoded). */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/**
 * The key prefix shared by every caller's answer to one request: method and length-prefixed bytes
 * (so no request's prefix matches another's key).
 */
export function cacheKeyPrefix(method: string, requestBytes: Uint8Array): string {
  return `${method}\n${requestBytes.length}:${latin1(requestBytes)}\n`;
}

/**
 * The lower-cased, sorted, deduplicated names of the headers that are part of the key: the
 * identity headers plus `keyHeaders`.
 */
export function keyHeaderNames(keyHeaders: readonly string[], identity: readonly string[] = IDENTITY_HEADERS): readonly string[] {
  return [...new Set([...identity, ...keyHeaders].map((h) => h.toLowerCase()))].sort();
}

/**
 * The cache key of a call: `cacheKeyPrefix` followed by `name=value` of each header in `names`
 * (from `keyHeaderNames`), NUL-separated; a missing header is distinct from an empty one.
 */
export function cacheKey(method: string, requestBytes: Uint8Array, header: Headers | undefined, names: readonly string[]): string {
  let key = cacheKeyPrefix(method, requestBytes);
  for (const name of names) {
    const value = header?.get(name);
    key += value === null || value === undefined ? `${name}\u0001\u0000` : `${name}=${value}\u0000`;
  }
  return key;
}

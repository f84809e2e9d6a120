import { cacheKey, cacheKeyPrefix, keyHeaderNames } from "./cache-key.js";

describe("cacheKey", () => {
  const names = keyHeaderNames(["X-Tenant"]);

  it("always keys on authorization and cookie, plus the policy's headers, lower-cased and sorted", () => {
    expect(names).toEqual(["authorization", "cookie", "x-tenant"]);
  });

  it("differs by credentials, and tells a missing header from an empty one", () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const alice = cacheKey("s/M", bytes, new Headers({ authorization: "Bearer a" }), names);
    const bob = cacheKey("s/M", bytes, new Headers({ authorization: "Bearer b" }), names);
    const none = cacheKey("s/M", bytes, undefined, names);
    const empty = cacheKey("s/M", bytes, new Headers({ authorization: "" }), names);
    expect(new Set([alice, bob, none, empty]).size).toBe(4);
    expect(cacheKey("s/M", bytes, new Headers({ authorization: "Bearer a", "x-other": "1" }), names)).toBe(alice);
  });

  it("starts with the request's prefix, and no request's prefix matches another request's key", () => {
    const short = new Uint8Array([0x61, 0x62]);
    const longer = new Uint8Array([0x61, 0x62, 0x0a, 0x78]); // "ab\nx"
    const key = cacheKey("s/M", longer, undefined, names);
    expect(key.startsWith(cacheKeyPrefix("s/M", longer))).toBe(true);
    expect(key.startsWith(cacheKeyPrefix("s/M", short))).toBe(false);
  });
});

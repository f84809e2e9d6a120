import { cacheKey, cacheKeyPrefix, credentialsKeyText, headerValue, keyHeaderNames } from "./cache-key.js";

describe("cacheKey", () => {
  const names = keyHeaderNames(["X-Tenant"]);
  const request = "{1=3:abc}";

  it("always keys on authorization and cookie, plus the policy's headers, lower-cased and sorted", () => {
    expect(names).toEqual(["authorization", "cookie", "x-tenant"]);
  });

  it("differs by credentials, and tells a missing header from an empty one", () => {
    const alice = cacheKey("s/M", request, new Headers({ authorization: "Bearer a" }), names);
    const bob = cacheKey("s/M", request, new Headers({ authorization: "Bearer b" }), names);
    const none = cacheKey("s/M", request, undefined, names);
    const empty = cacheKey("s/M", request, new Headers({ authorization: "" }), names);
    expect(new Set([alice, bob, none, empty]).size).toBe(4);
    expect(cacheKey("s/M", request, new Headers({ authorization: "Bearer a", "x-other": "1" }), names)).toBe(alice);
  });

  it("reads headers given as a record or pairs as a Headers object would, without making one", () => {
    const asHeaders = cacheKey("s/M", request, new Headers([["Authorization", "a"], ["x-tenant", "t1"], ["X-Tenant", "t2"]]), names);
    expect(cacheKey("s/M", request, [["Authorization", "a"], ["x-tenant", "t1"], ["X-Tenant", "t2"]], names)).toBe(asHeaders);
    expect(cacheKey("s/M", request, { Authorization: "a", "x-tenant": "t1", "X-Tenant": "t2" }, names)).toBe(asHeaders);
    expect(headerValue({ Cookie: "c=1" }, "cookie")).toBe("c=1");
    expect(headerValue([], "cookie")).toBeNull();
  });

  it("keys on the channel's call credentials apart from the call's own headers", () => {
    const alice = cacheKey("s/M", request, undefined, names, credentialsKeyText({ authorization: "Bearer alice" }));
    const bob = cacheKey("s/M", request, undefined, names, credentialsKeyText({ authorization: "Bearer bob" }));
    const asHeader = cacheKey("s/M", request, { authorization: "Bearer alice" }, names);
    expect(new Set([alice, bob, asHeader, cacheKey("s/M", request, undefined, names)]).size).toBe(4);
  });

  it("keys credentials by lower-cased name, in name order, the last value of a name winning", () => {
    const text = credentialsKeyText([["X-Key", "k"], ["Authorization", "old"], ["authorization", "new"]]);
    expect(text).toBe("authorization=new\u0000x-key=k\u0000");
    expect(credentialsKeyText(new Headers({ "x-key": "k", authorization: "new" }))).toBe(text);
    const frozen = Object.freeze({ authorization: "Bearer t" });
    expect(credentialsKeyText(frozen)).toBe(credentialsKeyText(frozen));
    expect(credentialsKeyText(frozen)).toBe("authorization=Bearer t\u0000");
  });

  it("starts with the request's prefix, and no request's prefix matches another request's key", () => {
    const short = "{1=2:ab}";
    const longer = "{1=2:ab2=1:x}";
    const key = cacheKey("s/M", longer, undefined, names);
    expect(key.startsWith(cacheKeyPrefix("s/M", longer))).toBe(true);
    expect(key.startsWith(cacheKeyPrefix("s/M", short))).toBe(false);
  });
});

import {
  decodeEndpointValue,
  encodeEndpointValue,
  endpointKey,
  endpointsFromEntries,
  servicePrefix,
  validateServiceName,
} from "./etcd-naming.js";

describe("etcd naming keys", () => {
  it("puts a trailing slash on the prefix so foo never matches foo2", () => {
    expect(servicePrefix("foo")).toBe("foo/");
    expect(endpointKey("foo", "10.0.0.1:80")).toBe("foo/10.0.0.1:80");
    expect("foo2/10.0.0.1:80".startsWith(servicePrefix("foo"))).toBe(false);
  });

  it("rejects service names that would break the prefix, naming the field", () => {
    expect(validateServiceName("prod/inventory", "etcd.service")).toBe("prod/inventory");
    for (const bad of ["", "/inv", "inv/", "in v", 7]) {
      expect(() => validateServiceName(bad, "etcd.service")).toThrow(/^etcd\.service: must be a service name/);
    }
  });
});

describe("etcd naming values", () => {
  it("encodes as Go's endpoints manager does, weight in Metadata", () => {
    expect(encodeEndpointValue("10.0.0.1:80", 1)).toBe('{"Op":0,"Addr":"10.0.0.1:80","Metadata":null}');
    expect(encodeEndpointValue("10.0.0.1:80", 2.5, { zone: "a" })).toBe(
      '{"Op":0,"Addr":"10.0.0.1:80","Metadata":{"zone":"a","weight":2.5}}',
    );
  });

  it("decodes what it encodes", () => {
    expect(decodeEndpointValue(encodeEndpointValue("10.0.0.1:80", 3, { zone: "a", canary: true }))).toEqual({
      address: "10.0.0.1:80",
      weight: 3,
      metadata: { zone: "a", canary: "true", weight: "3" },
    });
    expect(decodeEndpointValue(encodeEndpointValue("[::1]:80", 1))).toEqual({ address: "[::1]:80" });
  });

  it("takes a numeric-string weight and ignores a bad one", () => {
    expect(decodeEndpointValue('{"Op":0,"Addr":"h.test:1","Metadata":{"weight":"4"}}')?.weight).toBe(4);
    for (const w of ['"x"', "0", "-1", '""']) {
      const e = decodeEndpointValue(`{"Op":0,"Addr":"h.test:1","Metadata":{"weight":${w}}}`);
      expect(e?.address).toBe("h.test:1");
      expect(e?.weight).toBeUndefined();
    }
  });

  it("keeps scalar metadata only and accepts a missing Op or non-object Metadata", () => {
    expect(decodeEndpointValue('{"Addr":"1.2.3.4:5","Metadata":{"a":{"b":1},"c":[1],"d":"x"}}')).toEqual({
      address: "1.2.3.4:5",
      metadata: { d: "x" },
    });
    expect(decodeEndpointValue('{"Op":0,"Addr":"1.2.3.4:5","Metadata":"opaque"}')).toEqual({ address: "1.2.3.4:5" });
  });

  it("rejects invalid values: bad JSON, Op other than Add, missing or portless Addr", () => {
    for (const v of ["", "nope", "null", "[]", '{"Op":1,"Addr":"1.2.3.4:5"}', '{"Op":0}', '{"Op":0,"Addr":"1.2.3.4"}', '{"Op":0,"Addr":"::1:80"}']) {
      expect(decodeEndpointValue(v)).toBeUndefined();
    }
  });
});

describe("endpointsFromEntries", () => {
  it("skips invalid values, keeps the first key per address and sorts by address", () => {
    const list = endpointsFromEntries([
      ["svc/b", '{"Op":0,"Addr":"10.0.0.2:80"}'],
      ["svc/a2", '{"Op":0,"Addr":"10.0.0.1:80","Metadata":{"weight":9}}'],
      ["svc/a1", '{"Op":0,"Addr":"10.0.0.1:80","Metadata":{"weight":2}}'],
      ["svc/bad", "garbage"],
    ]);
    expect(list).toEqual([
      { address: "10.0.0.1:80", weight: 2, metadata: { weight: "2" } },
      { address: "10.0.0.2:80" },
    ]);
    expect(endpointsFromEntries([])).toEqual([]);
  });
});

import {
  formatAddress,
  parseDnsTarget,
  parseEtcdTarget,
  parseHostPort,
  parseRegistryTarget,
  parseStaticTarget,
  parseTargetUri,
  TargetError,
} from "./target.js";

describe("parseTargetUri", () => {
  it("splits scheme, authority and endpoint", () => {
    expect(parseTargetUri("dns://127.0.0.1:5353/svc.test:8080")).toEqual({
      raw: "dns://127.0.0.1:5353/svc.test:8080",
      scheme: "dns",
      authority: "127.0.0.1:5353",
      endpoint: "svc.test:8080",
    });
    expect(parseTargetUri("STATIC:///a:1,b:2")).toMatchObject({ scheme: "static", authority: "", endpoint: "a:1,b:2" });
    expect(parseTargetUri("etcd://10.0.0.1:2379/services/inventory")).toMatchObject({
      scheme: "etcd",
      authority: "10.0.0.1:2379",
      endpoint: "services/inventory",
    });
  });

  it("takes a bare host:port as dns", () => {
    for (const t of ["localhost:8080", "svc.test:80", "10.0.0.1:80", "[::1]:8080"]) {
      expect(parseTargetUri(t)).toEqual({ raw: t, scheme: "dns", authority: "", endpoint: t });
    }
  });

  it("rejects empty targets and a missing slash after the authority", () => {
    expect(() => parseTargetUri("  ")).toThrow(TargetError);
    expect(() => parseTargetUri("dns://1.2.3.4")).toThrow(/invalid channel target "dns:\/\/1.2.3.4".*accepted forms: static:\/\/\//);
  });
});

describe("parseHostPort / formatAddress", () => {
  it("parses IPv4, bracketed IPv6 and hostnames", () => {
    expect(parseHostPort("127.0.0.1:8080", "t")).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(parseHostPort("[::1]:9", "t")).toEqual({ host: "::1", port: 9 });
    expect(parseHostPort("[fe80::1%eth0]:9", "t")).toEqual({ host: "fe80::1%eth0", port: 9 });
    expect(parseHostPort("a-b.svc.test:65535", "t")).toEqual({ host: "a-b.svc.test", port: 65535 });
    expect(parseHostPort("svc.test", "t", 53)).toEqual({ host: "svc.test", port: 53 });
  });

  it("rejects bad hosts and ports with the target named", () => {
    expect(() => parseHostPort("::1:80", "dns:///::1:80")).toThrow(/"dns:\/\/\/::1:80".*must be written in brackets/);
    expect(() => parseHostPort("host:0", "t")).toThrow(/port 0 .* outside 1-65535/);
    expect(() => parseHostPort("host:70000", "t")).toThrow(/outside 1-65535/);
    expect(() => parseHostPort("host:http", "t")).toThrow(/port "http" .* not a number/);
    expect(() => parseHostPort("host", "t")).toThrow(/has no port/);
    expect(() => parseHostPort("bad_host!:1", "t")).toThrow(/not a valid IP address or hostname/);
    expect(() => parseHostPort("300.1.1.1:1", "t")).toThrow(/not a valid IP address or hostname/);
    expect(() => parseHostPort("[1.2.3.4]:1", "t")).toThrow(/not an IPv6 address/);
    expect(() => parseHostPort("[::1:1", "t")).toThrow(/unclosed/);
  });

  it("brackets IPv6 when formatting", () => {
    expect(formatAddress("::1", 80)).toBe("[::1]:80");
    expect(formatAddress("10.1.2.3", 80)).toBe("10.1.2.3:80");
  });
});

describe("parseStaticTarget", () => {
  it("lists every address", () => {
    expect(parseStaticTarget(parseTargetUri("static:///127.0.0.1:1,[::1]:2, host.test:3")).addresses).toEqual([
      { host: "127.0.0.1", port: 1 },
      { host: "::1", port: 2 },
      { host: "host.test", port: 3 },
    ]);
  });

  it("rejects empty lists, authorities and missing ports", () => {
    expect(() => parseStaticTarget(parseTargetUri("static:///"))).toThrow(/lists no addresses/);
    expect(() => parseStaticTarget(parseTargetUri("static:///a:1,,b:2"))).toThrow(/empty address/);
    expect(() => parseStaticTarget(parseTargetUri("static://x/a:1"))).toThrow(/take no authority/);
    expect(() => parseStaticTarget(parseTargetUri("static:///a:1,b"))).toThrow(/"b" has no port/);
  });
});

describe("parseDnsTarget", () => {
  it("parses names with ports, and the DNS server authority", () => {
    expect(parseDnsTarget(parseTargetUri("dns:///svc.test:8080"))).toEqual({
      scheme: "dns",
      host: "svc.test",
      port: 8080,
      srv: false,
      dnsServer: undefined,
    });
    expect(parseDnsTarget(parseTargetUri("dns://127.0.0.1:5353/svc.test:1")).dnsServer).toEqual({
      host: "127.0.0.1",
      port: 5353,
    });
    expect(parseDnsTarget(parseTargetUri("dns://[::1]/svc.test:1")).dnsServer).toEqual({ host: "::1", port: 53 });
    expect(parseDnsTarget(parseTargetUri("svc.test:443"))).toMatchObject({ host: "svc.test", port: 443 });
  });

  it("detects SRV names, or takes the flag", () => {
    expect(parseDnsTarget(parseTargetUri("dns:///_grpc._tcp.svc.test"))).toMatchObject({
      host: "_grpc._tcp.svc.test",
      port: undefined,
      srv: true,
    });
    expect(parseDnsTarget(parseTargetUri("dns:///lb.svc.test"), true)).toMatchObject({ host: "lb.svc.test", srv: true });
    expect(() => parseDnsTarget(parseTargetUri("dns:///_grpc._tcp.svc.test:80"))).toThrow(/without a port/);
  });

  it("rejects a hostname DNS server and missing names or ports", () => {
    expect(() => parseDnsTarget(parseTargetUri("dns://ns.test/svc.test:1"))).toThrow(/DNS server "ns.test" must be an IP address/);
    expect(() => parseDnsTarget(parseTargetUri("dns:///"))).toThrow(/names no host/);
    expect(() => parseDnsTarget(parseTargetUri("dns:///svc.test"))).toThrow(/"svc.test" has no port/);
  });
});

describe("parseEtcdTarget / parseRegistryTarget", () => {
  it("takes the service from the path and etcd endpoints from the authority", () => {
    expect(parseEtcdTarget(parseTargetUri("etcd:///inventory"))).toEqual({ scheme: "etcd", endpoints: undefined, service: "inventory" });
    expect(parseEtcdTarget(parseTargetUri("etcd://10.0.0.1:2379,[::1]:2379,etcd.test:2379/prod/inventory"))).toEqual({
      scheme: "etcd",
      endpoints: [
        { host: "10.0.0.1", port: 2379 },
        { host: "::1", port: 2379 },
        { host: "etcd.test", port: 2379 },
      ],
      service: "prod/inventory",
    });
    expect(parseRegistryTarget(parseTargetUri("registry:///inventory"))).toEqual({ scheme: "registry", service: "inventory" });
  });

  it("rejects missing or slash-ended services, empty or portless endpoints", () => {
    expect(() => parseEtcdTarget(parseTargetUri("etcd:///"))).toThrow(/"" is not a service name/);
    expect(() => parseEtcdTarget(parseTargetUri("etcd:///inventory/"))).toThrow(/"inventory\/" is not a service name/);
    expect(() => parseEtcdTarget(parseTargetUri("etcd://a:1,,b:2/inv"))).toThrow(/empty etcd endpoint/);
    expect(() => parseEtcdTarget(parseTargetUri("etcd://etcd.test/inv"))).toThrow(/"etcd.test" has no port/);
    expect(() => parseRegistryTarget(parseTargetUri("registry:///"))).toThrow(/not a service name/);
    expect(() => parseEtcdTarget(parseTargetUri("dns:///x:1"))).toThrow(TargetError);
  });
});

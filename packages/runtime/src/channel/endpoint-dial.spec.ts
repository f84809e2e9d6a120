import { createEndpointDial, targetHostName } from "./endpoint-dial.js";

describe("targetHostName", () => {
  it("is the name of a dns target, with or without the scheme, without a trailing dot", () => {
    expect(targetHostName("dns:///inventory.internal:8443")).toBe("inventory.internal");
    expect(targetHostName("inventory.internal:8443")).toBe("inventory.internal");
    expect(targetHostName("dns://10.0.0.53/inventory.internal.:8443")).toBe("inventory.internal");
  });
  it("is undefined for IP addresses, SRV names, static lists, other schemes and malformed targets", () => {
    expect(targetHostName("dns:///10.0.0.1:8443")).toBeUndefined();
    expect(targetHostName("[::1]:8443")).toBeUndefined();
    expect(targetHostName("dns:///_grpc._tcp.inventory.internal")).toBeUndefined();
    expect(targetHostName("static:///a.internal:1,b.internal:2")).toBeUndefined();
    expect(targetHostName("etcd:///inventory")).toBeUndefined();
    expect(targetHostName("dns:///")).toBeUndefined();
  });
});

describe("createEndpointDial", () => {
  it("plaintext: http://address, the address as authority", () => {
    expect(createEndpointDial({ address: "10.0.0.1:8080" }, {}).baseUrl).toBe("http://10.0.0.1:8080");
    expect(createEndpointDial({ address: "10.0.0.1:8080" }, { tls: false, targetHost: "inventory.internal" }).baseUrl).toBe("http://10.0.0.1:8080");
  });
  it("TLS: the logical name and the endpoint's port as authority, preferring the endpoint's hostname, then its SRV target, then the target's name", () => {
    expect(createEndpointDial({ address: "10.0.0.1:8443" }, { tls: true, targetHost: "inventory.internal" }).baseUrl).toBe("https://inventory.internal:8443");
    expect(
      createEndpointDial({ address: "10.0.0.1:9000", metadata: { "srv.target": "node-1.inventory.internal." } }, { tls: {}, targetHost: "x" }).baseUrl,
    ).toBe("https://node-1.inventory.internal:9000");
    expect(createEndpointDial({ address: "10.0.0.1:8443", hostname: "a.internal" }, { tls: {}, targetHost: "b.internal" }).baseUrl).toBe("https://a.internal:8443");
    expect(createEndpointDial({ address: "[::1]:8443" }, { tls: {} }).baseUrl).toBe("https://[::1]:8443");
  });
  it("the authority option wins, with or without TLS", () => {
    expect(createEndpointDial({ address: "10.0.0.1:8443" }, { tls: {}, authority: "api.example.com" }).baseUrl).toBe("https://api.example.com");
    expect(createEndpointDial({ address: "10.0.0.1:8080" }, { authority: "api.example.com:80" }).baseUrl).toBe("http://api.example.com:80");
  });
  it("always opens the socket itself, to the resolved address", () => {
    expect(typeof createEndpointDial({ address: "10.0.0.1:8443" }, { tls: {}, targetHost: "inventory.internal" }).sessionOptions?.createConnection).toBe("function");
    expect(typeof createEndpointDial({ address: "10.0.0.1:8080" }, {}).sessionOptions?.createConnection).toBe("function");
  });
});

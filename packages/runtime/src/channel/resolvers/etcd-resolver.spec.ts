import { createEtcdResolver } from "./etcd-resolver.js";
import { createResolver } from "./registry.js";

// Behaviour against a real etcd is in test/resolver/etcd-discovery.spec.ts; here: configuration.
describe("etcd resolver configuration", () => {
  it("rejects bad options at construction, naming the field", () => {
    expect(() => createEtcdResolver({ service: "" })).toThrow(/^etcd\.service: must be a service name/);
    expect(() => createEtcdResolver({ service: "inv", endpoints: [] })).toThrow(/^etcd\.endpoints: must be a non-empty array/);
    expect(() => createEtcdResolver({ service: "inv", endpoints: ["etcd.test"] })).toThrow(/^etcd\.endpoints: "etcd.test" is not "host:port"/);
    expect(() => createEtcdResolver({ service: "inv", callTimeoutMs: 0 })).toThrow(/^etcd\.callTimeoutMs: must be a finite number/);
    expect(() => createEtcdResolver({ service: "inv", reconnectBackoff: { initialMs: -1 } })).toThrow(/^backoff\.initialMs/);
  });

  it("is built in for etcd: targets and reads schemes.etcd", () => {
    expect(() => createResolver("etcd:///inv", { schemes: { etcd: "10.0.0.1:2379" } })).toThrow(/^etcd: must be an object/);
    expect(() => createResolver("etcd:///inv", { schemes: { etcd: { endpoints: ["x"] } } })).toThrow(/^etcd\.endpoints/);
    // The authority's endpoints win over schemes.etcd.endpoints (which would be invalid here).
    const resolver = createResolver("etcd://127.0.0.1:1/inv", { schemes: { etcd: { endpoints: ["x"] } } });
    resolver.close();
  });
});

import type { Endpoint, Resolver } from "../channel/resolver.js";
import { createResolver } from "../channel/resolvers/registry.js";
import { createMemoryRegistry, defaultMemoryRegistry } from "./memory-registry.js";

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function record(resolver: Resolver): Endpoint[][] {
  const lists: Endpoint[][] = [];
  resolver.start({ onEndpoints: (e) => void lists.push([...e]), onError: (e) => { throw e; } });
  return lists;
}

const server = (port: number) => ({ host: "127.0.0.1", port });

describe("createMemoryRegistry", () => {
  it("pushes the current list after start and every change, once per burst", async () => {
    const registry = createMemoryRegistry();
    const a = registry.register(server(1), { service: "inv", weight: 2, metadata: { zone: "a", v: 3 } });
    const lists = record(registry.resolver("inv"));
    expect(lists).toEqual([]);
    await flush();
    expect(lists).toEqual([[{ address: "127.0.0.1:1", weight: 2, metadata: { zone: "a", v: "3" } }]]);
    registry.register(server(3), { service: "inv" });
    registry.register(server(2), { service: "inv" });
    await flush();
    expect(lists.map((l) => l.map((e) => e.address))).toEqual([["127.0.0.1:1"], ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"]]);
    await a.close();
    await flush();
    expect(lists.at(-1)?.map((e) => e.address)).toEqual(["127.0.0.1:2", "127.0.0.1:3"]);
  });

  it("keeps services apart (inv does not see inv2)", async () => {
    const registry = createMemoryRegistry();
    registry.register(server(1), { service: "inv" });
    registry.register(server(2), { service: "inv2" });
    expect(registry.endpoints("inv").map((e) => e.address)).toEqual(["127.0.0.1:1"]);
  });

  it("lets a re-registration of an address outlive the closing of the old one", async () => {
    const registry = createMemoryRegistry();
    const old = registry.register(server(1), { service: "inv", weight: 1 });
    registry.register(server(1), { service: "inv", weight: 5 });
    await old.close();
    expect(registry.endpoints("inv")).toEqual([{ address: "127.0.0.1:1", weight: 5, metadata: {} }]);
  });

  it("stops pushing after close", async () => {
    const registry = createMemoryRegistry();
    const resolver = registry.resolver("inv");
    const lists = record(resolver);
    await flush();
    resolver.close();
    registry.register(server(1), { service: "inv" });
    await flush();
    expect(lists).toEqual([[]]);
  });

  it("rejects bad registrations naming the field", () => {
    const registry = createMemoryRegistry();
    expect(() => registry.register(server(1), { service: "inv/" })).toThrow(/^registry\.service:/);
    expect(() => registry.register(server(1), { service: "inv", weight: 0 })).toThrow(/^registry\.weight: must be a finite number > 0/);
    expect(() => registry.register({ host: "0.0.0.0", port: 1 }, { service: "inv" })).toThrow(/^registry\.address: the server listens on "0\.0\.0\.0"/);
    expect(registry.register({ host: "0.0.0.0", port: 1 }, { service: "inv", address: "10.0.0.7:1" }).address).toBe("10.0.0.7:1");
    expect(() => registry.register(server(1), { service: "inv", metadata: { a: {} as never } })).toThrow(/^registry\.metadata\.a:/);
  });

  it("serves registry:/// targets from the default registry, or the one in schemes.registry", async () => {
    const registration = defaultMemoryRegistry.register(server(7), { service: "memory-spec" });
    const fromDefault = record(createResolver("registry:///memory-spec"));
    const own = createMemoryRegistry();
    own.register(server(8), { service: "memory-spec" });
    const fromOwn = record(createResolver("registry:///memory-spec", { schemes: { registry: own } }));
    await flush();
    expect(fromDefault[0].map((e) => e.address)).toEqual(["127.0.0.1:7"]);
    expect(fromOwn[0].map((e) => e.address)).toEqual(["127.0.0.1:8"]);
    await registration.close();
    expect(() => createResolver("registry:///x", { schemes: { registry: {} } })).toThrow(/registry: must be a registry from createMemoryRegistry/);
    expect(() => createResolver("registry://host/x")).toThrow(/take no authority/);
  });
});

// End to end: each picker's distribution over three real servers, ring-hash affinity and bounded
// movement, health-driven removal, and DNS changes moving traffic.
import { createContextValues } from "@connectrpc/connect";
import {
  createChannel,
  routingKeyContext,
  type BalancerConfig,
  type Channel,
} from "@sluice/runtime";
import { createInventoryServiceClient, type InventoryServiceClient } from "../../examples/inventory/gen/inventory/v1/inventory_sluice.js";
import { startInventoryServer, type InventoryServer } from "../../examples/inventory/src/server.js";
import { closeAll, eventually, startServers, uncached } from "../support/inventory.js";
import { manualResolver } from "../support/manual-resolver.js";
import { findDnsmasq, startDnsmasq, type Dnsmasq } from "../resolver/dnsmasq.js";

const addressOf = (s: InventoryServer): string => `127.0.0.1:${s.port}`;

async function readyChannel(servers: readonly InventoryServer[], balancer: BalancerConfig, weights: number[] = []): Promise<Channel> {
  const resolver = manualResolver();
  const channel = createChannel({ target: "static:///manual:1", resolver, balancer });
  resolver.push(servers.map((s, i) => ({ address: addressOf(s), weight: weights[i] ?? 1 })));
  await eventually(() => channel.stats().endpoints.filter((e) => e.state === "ready").length === servers.length, 5000, "all ready");
  return channel;
}

/** Sends `calls` GetItem calls, `concurrency` at a time, and counts who served them. */
async function shares(client: InventoryServiceClient, calls: number, concurrency = 1): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        next++;
        const { servedBy } = await client.getItem({ sku: "sku-0001" });
        counts.set(servedBy, (counts.get(servedBy) ?? 0) + 1);
      }
    }),
  );
  return counts;
}

describe("pickers over three real servers", () => {
  let servers: InventoryServer[] = [];
  let channel: Channel | undefined;
  afterEach(async () => {
    await channel?.close();
    channel = undefined;
    await closeAll(servers);
  });

  it("pick-first sends everything to the first endpoint", async () => {
    servers = await startServers(3);
    channel = await readyChannel(servers, "pick-first");
    expect(await shares(createInventoryServiceClient(channel, undefined, uncached), 60)).toEqual(new Map([["server-0", 60]]));
  });

  it("random spreads calls roughly evenly", async () => {
    servers = await startServers(3);
    channel = await readyChannel(servers, "random");
    const counts = await shares(createInventoryServiceClient(channel, undefined, uncached), 600);
    for (const name of ["server-0", "server-1", "server-2"]) {
      expect(counts.get(name) ?? 0).toBeGreaterThan(140);
      expect(counts.get(name) ?? 0).toBeLessThan(260);
    }
  });

  it("weighted-round-robin follows the resolver's weights exactly over whole cycles", async () => {
    servers = await startServers(3);
    channel = await readyChannel(servers, "weighted-round-robin", [3, 1, 1]);
    expect(await shares(createInventoryServiceClient(channel, undefined, uncached), 250)).toEqual(
      new Map([
        ["server-0", 150],
        ["server-1", 50],
        ["server-2", 50],
      ]),
    );
  });

  it.each(["least-request", "peak-ewma"] as const)("%s sends few calls to a slow endpoint", async (policy) => {
    servers = await startServers(3, [0, 0, 25]);
    channel = await readyChannel(servers, policy);
    const counts = await shares(createInventoryServiceClient(channel, undefined, uncached), 600, 8);
    const slowShare = (counts.get("server-2") ?? 0) / 600;
    expect(slowShare).toBeLessThan(0.2);
    expect(counts.get("server-0") ?? 0).toBeGreaterThan(150);
    expect(counts.get("server-1") ?? 0).toBeGreaterThan(150);
  });

  it("ring-hash keeps each key on one endpoint and moves about 1/N of keys when one is added", async () => {
    servers = await startServers(4);
    const resolver = manualResolver();
    channel = createChannel({ target: "static:///manual:1", resolver, balancer: "ring-hash" });
    resolver.push(servers.slice(0, 3).map((s) => ({ address: addressOf(s) })));
    await eventually(() => channel!.stats().endpoints.filter((e) => e.state === "ready").length === 3, 5000, "3 ready");
    const client = createInventoryServiceClient(channel, undefined, uncached);
    const keys = Array.from({ length: 300 }, (_, i) => `customer-${i}`);
    const owner = async (key: string): Promise<string> =>
      (await client.getItem({ sku: "sku-0001" }, { contextValues: createContextValues().set(routingKeyContext, key) })).servedBy;
    const before = new Map<string, string>();
    for (const key of keys) before.set(key, await owner(key));
    for (const key of keys.slice(0, 30)) expect(await owner(key)).toBe(before.get(key));
    expect(new Set(before.values()).size).toBe(3);

    resolver.push(servers.map((s) => ({ address: addressOf(s) })));
    await eventually(() => channel!.stats().endpoints.filter((e) => e.state === "ready").length === 4, 5000, "4 ready");
    let moved = 0;
    for (const key of keys) {
      const now = await owner(key);
      if (now !== before.get(key)) {
        moved++;
        expect(now).toBe("server-3");
      }
    }
    expect(moved / keys.length).toBeGreaterThan(0.12);
    expect(moved / keys.length).toBeLessThan(0.4);
  });

  it("the generated routing key (GetItem's sku) gives affinity without a per-call key", async () => {
    servers = await startServers(3);
    channel = await readyChannel(servers, "ring-hash");
    const client = createInventoryServiceClient(channel, undefined, uncached);
    for (const sku of ["sku-0001", "sku-0002", "sku-0003", "sku-0004"]) {
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) seen.add((await client.getItem({ sku })).servedBy);
      expect(seen.size).toBe(1);
    }
  });
});

describe("health checking", () => {
  it("stops picking an endpoint that is NOT_SERVING and picks it again once SERVING", async () => {
    const servers = await startServers(3);
    const service = "inventory.v1.InventoryService";
    const resolver = manualResolver();
    const channel = createChannel({ target: "static:///manual:1", resolver, balancer: "round-robin", healthCheck: { service } });
    try {
      resolver.push(servers.map((s) => ({ address: addressOf(s) })));
      await eventually(() => channel.stats().endpoints.filter((e) => e.state === "ready").length === 3, 5000, "all ready");
      const client = createInventoryServiceClient(channel, undefined, uncached);
      servers[1]!.health.setStatus(service, "NOT_SERVING");
      await eventually(() => channel.stats().endpoints.find((e) => e.address === addressOf(servers[1]!))?.healthy === false, 3000, "unhealthy seen");
      const during = await shares(client, 60);
      expect(during.get("server-1")).toBeUndefined();
      expect((during.get("server-0") ?? 0) + (during.get("server-2") ?? 0)).toBe(60);
      servers[1]!.health.setStatus(service, "SERVING");
      await eventually(() => channel.stats().endpoints.every((e) => e.healthy), 3000, "healthy again");
      expect((await shares(client, 30)).get("server-1")).toBe(10);
    } finally {
      await channel.close();
      await closeAll(servers);
    }
  });
});

const dnsmasq = findDnsmasq();
const describeDns = dnsmasq !== undefined || process.env.CI ? describe : describe.skip;

describeDns("DNS resolution", () => {
  let dns: Dnsmasq;
  beforeAll(async () => {
    if (dnsmasq === undefined) throw new Error("dnsmasq is not installed but CI is set: apt-get install -y dnsmasq");
    dns = await startDnsmasq(dnsmasq, []);
  });
  afterAll(async () => dns?.stop());

  it("moves traffic when the name's records change", async () => {
    // Two servers on the same port, on two loopback addresses, so a DNS name can point at either.
    const first = await startInventoryServer({ host: "127.0.0.2", name: "first" });
    const second = await startInventoryServer({ host: "127.0.0.3", name: "second", port: first.port });
    await dns.writeHosts([["127.0.0.2", "inventory.svc.test"]]);
    const channel = createChannel({
      target: `dns:///inventory.svc.test:${first.port}`,
      dns: { server: dns.server, refreshIntervalMs: 200 },
    });
    try {
      const client = createInventoryServiceClient(channel, undefined, uncached);
      await channel.waitForReady(5000);
      expect((await shares(client, 10)).get("first")).toBe(10);
      await dns.writeHosts([["127.0.0.3", "inventory.svc.test"]]);
      await eventually(() => channel.stats().endpoints.map((e) => e.address).join() === `127.0.0.3:${first.port}`, 5000, "re-resolved");
      await channel.waitForReady(5000);
      expect((await shares(client, 10)).get("second")).toBe(10);
    } finally {
      await channel.close();
      await closeAll([first, second]);
    }
  });
});

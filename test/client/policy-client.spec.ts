// The policy client: overrides are checked like the .proto options, and the routing key reaches
// the channel for unary and server-streaming methods.
import { createChannel } from "@sluice/runtime";
import { createPolicyClient } from "@sluice/runtime";
import { InventoryService } from "../../examples/inventory/gen/inventory/v1/inventory_pb.js";
import { createInventoryServiceClient, InventoryServicePolicies } from "../../examples/inventory/gen/inventory/v1/inventory_sluice.js";
import { closeAll, eventually, startServers } from "../support/inventory.js";
import { manualResolver } from "../support/manual-resolver.js";

describe("policy client overrides", () => {
  const transport = createChannel({ target: "static:///127.0.0.1:1", resolver: manualResolver() });
  afterAll(() => transport.close());

  it("rejects an override that breaks the rules codegen enforces, naming the field", () => {
    expect(() => createInventoryServiceClient(transport, { getItem: { timeoutMs: Number.NaN } })).toThrow(
      "overrides.getItem.timeoutMs: must be a finite number > 0 (milliseconds), got NaN",
    );
    expect(() =>
      createInventoryServiceClient(transport, {
        putItem: { retry: { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 100, backoffMultiplier: 2, retryableCodes: [] } },
      }),
    ).toThrow('overrides.putItem.retry: needs an idempotent method (idempotency_level = IDEMPOTENT or NO_SIDE_EFFECTS), got "unknown"');
    expect(() =>
      createInventoryServiceClient(transport, {
        listItems: { cache: { ttlMs: 0, maxEntries: 10, maxBytes: 0, eviction: "lru", staleWhileRevalidateMs: 0, keyHeaders: [] } },
      }),
    ).toThrow("overrides.listItems.cache.ttlMs: must be > 0, got 0");
    expect(() => createInventoryServiceClient(transport, { nope: {} } as never)).toThrow(/^overrides\.nope: /);
  });

  it("accepts valid overrides and null to turn a policy off", () => {
    expect(() => createInventoryServiceClient(transport, { getItem: { timeoutMs: 250, cache: null, retry: null } })).not.toThrow();
  });
});

describe("routing key on a server-streaming method", () => {
  it("keeps every call with the same key on one endpoint under ring-hash", async () => {
    const servers = await startServers(3);
    const channel = createChannel({ target: `static:///${servers.map((s) => `127.0.0.1:${s.port}`).join(",")}`, balancer: "ring-hash" });
    try {
      await eventually(() => channel.stats().endpoints.filter((e) => e.state === "ready").length === 3, 5000, "all ready");
      const client = createPolicyClient(InventoryService, channel, {
        ...InventoryServicePolicies,
        listItems: { ...InventoryServicePolicies.listItems, routingKey: { path: "sku_prefix", get: (r) => r.skuPrefix } },
      });
      for (let i = 0; i < 12; i++) {
        let n = 0;
        for await (const _ of client.listItems({ skuPrefix: "sku-001" })) n++;
        expect(n).toBe(10);
      }
      const used = channel.stats().endpoints.filter((e) => e.calls > 0);
      expect(used).toHaveLength(1);
      expect(used[0]!.calls).toBe(12);
    } finally {
      await channel.close();
      await closeAll(servers);
    }
  });
});

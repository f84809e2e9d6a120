// End to end: channels on `registry:///service` targets find servers registered in the embedded
// in-process registry, and stop calling one as soon as its registration is closed.
import { createChannel, type Channel } from "@sluice/runtime";
import { createInventoryServiceClient } from "../../examples/inventory/gen/inventory/v1/inventory_sluice.js";
import type { InventoryServer } from "../../examples/inventory/src/server.js";
import { defaultMemoryRegistry } from "../../packages/runtime/src/discovery/memory-registry.js";
import type { ServiceRegistration } from "../../packages/runtime/src/discovery/service-registration.js";
import { closeAll, eventually, startServers, uncached } from "../support/inventory.js";

describe("registry:/// discovery", () => {
  let servers: InventoryServer[] = [];
  let registrations: ServiceRegistration[] = [];
  let channel: Channel | undefined;
  afterEach(async () => {
    await channel?.close();
    channel = undefined;
    await Promise.all(registrations.map((r) => r.close()));
    await closeAll(servers);
  });

  it("calls every registered server, and none once its registration is closed", async () => {
    servers = await startServers(2);
    registrations = servers.map((s) => defaultMemoryRegistry.register(s, { service: "inventory-registry-e2e" }));
    channel = createChannel({ target: "registry:///inventory-registry-e2e" });
    await eventually(() => channel!.stats().endpoints.filter((e) => e.state === "ready").length === 2, 5000, "both ready");
    const client = createInventoryServiceClient(channel, undefined, uncached);
    const servedBy = new Set<string>();
    for (let i = 0; i < 20; i++) servedBy.add((await client.getItem({ sku: "sku-0001" })).servedBy);
    expect([...servedBy].sort()).toEqual(["server-0", "server-1"]);

    await registrations[0].close();
    await eventually(() => channel!.stats().endpoints.length === 1, 1000, "server-0 removed");
    for (let i = 0; i < 20; i++) expect((await client.getItem({ sku: "sku-0001" })).servedBy).toBe("server-1");
  });
});

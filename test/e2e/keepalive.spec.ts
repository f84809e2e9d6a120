// End to end: keepalive PINGs detect a connection that went silent (a black hole), so a call in
// flight fails with UNAVAILABLE long before its deadline and the endpoint leaves the ready set.
import { Code, ConnectError } from "@connectrpc/connect";
import { createChannel } from "@sluice/runtime";
import { createInventoryServiceClient } from "../../examples/inventory/gen/inventory/v1/inventory_sluice.js";
import { startBlackholeProxy } from "../support/blackhole-proxy.js";
import { closeAll, eventually, startServers, uncached } from "../support/inventory.js";

describe("keepalive", () => {
  it("fails a call on a silent connection within the ping timeout and routes new calls elsewhere", async () => {
    const servers = await startServers(2, [3000, 0]);
    const proxy = await startBlackholeProxy(servers[0]!.port);
    const silent = `127.0.0.1:${proxy.port}`;
    const channel = createChannel({
      target: `static:///${silent},127.0.0.1:${servers[1]!.port}`,
      balancer: "pick-first",
      keepalive: { pingIntervalMs: 200, pingTimeoutMs: 300 },
      backoff: { initialMs: 5000 },
    });
    try {
      await eventually(() => channel.stats().endpoints.filter((e) => e.state === "ready").length === 2, 5000, "all ready");
      const client = createInventoryServiceClient(channel, { getItem: { retry: null } }, uncached); // the failure itself is under test, not its retry
      const inFlight = client.getItem({ sku: "sku-0001" }, { timeoutMs: 20_000 }).then(
        () => new ConnectError("expected a failure", Code.Unknown),
        (e: unknown) => ConnectError.from(e),
      );
      await eventually(() => channel.stats().endpoints.find((e) => e.address === silent)?.inFlight === 1, 2000, "call in flight");
      const started = Date.now();
      proxy.blackhole();
      const error = await inFlight;
      expect(error.code).toBe(Code.Unavailable);
      expect(Date.now() - started).toBeLessThan(2500);
      await eventually(() => channel.stats().endpoints.find((e) => e.address === silent)?.state !== "ready", 2000, "silent endpoint not ready");
      expect((await client.getItem({ sku: "sku-0001" })).servedBy).toBe("server-1");
    } finally {
      await channel.close();
      await proxy.close();
      await closeAll(servers);
    }
  });
});

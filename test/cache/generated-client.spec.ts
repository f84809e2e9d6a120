// The response cache through a generated client, with no code at the call site: the .proto's cache
// option answers repeated GetItem calls from the cache, PutItem's `invalidates` drops the entry,
// callers with different credentials never share an answer, and a client can turn it off.
import { createChannel, serve, type Channel, type Server } from "@sluice/runtime";
import { createInventoryServiceClient, registerInventoryService } from "../../examples/inventory/gen/inventory/v1/inventory_sluice.js";
import { createInventoryHandlers } from "../../examples/inventory/src/handlers.js";
import { createInventoryStore } from "../../examples/inventory/src/store.js";

describe("response cache through the generated client", () => {
  let server: Server;
  let channel: Channel;
  let upstream = 0;

  beforeAll(async () => {
    const handlers = createInventoryHandlers(createInventoryStore(), { name: "only" });
    server = await serve({
      host: "127.0.0.1",
      routes: (router) =>
        registerInventoryService(router, {
          ...handlers,
          getItem(request, context) {
            upstream++;
            return handlers.getItem(request, context);
          },
        }),
    });
    channel = createChannel({ target: `static:///127.0.0.1:${server.port}` });
    await channel.waitForReady(5000);
  });
  afterAll(async () => {
    await channel.close(200);
    await server.close();
  });
  beforeEach(() => {
    upstream = 0;
  });

  it("answers a repeated GetItem from the cache the .proto declares", async () => {
    const client = createInventoryServiceClient(channel);
    const first = await client.getItem({ sku: "sku-0001" });
    const second = await client.getItem({ sku: "sku-0001" });
    expect(second).toEqual(first);
    expect(upstream).toBe(1);
    const stats = client.$cache.stats()["inventory.v1.InventoryService/GetItem"];
    expect(stats).toMatchObject({ hits: 1, misses: 1, entries: 1 });
  });

  it("hands out copies: a caller mutating its answer does not change the next caller's", async () => {
    const client = createInventoryServiceClient(channel);
    const first = await client.getItem({ sku: "sku-0002" });
    first.item!.name = "mutated by a caller";
    const second = await client.getItem({ sku: "sku-0002" });
    expect(second.item!.name).not.toBe("mutated by a caller");
    expect(upstream).toBe(1);
  });

  it("PutItem invalidates the cached GetItem of the same sku, as the proto's invalidates says", async () => {
    const client = createInventoryServiceClient(channel);
    await client.getItem({ sku: "sku-0003" });
    await client.getItem({ sku: "sku-0004" });
    await client.putItem({ item: { sku: "sku-0003", name: "renamed" } });
    expect((await client.getItem({ sku: "sku-0003" })).item?.name).toBe("renamed");
    await client.getItem({ sku: "sku-0004" });
    // sku-0003 went upstream again after the PutItem; sku-0004 was still cached.
    expect(upstream).toBe(3);
  });

  it("never serves one caller's answer to a caller with other credentials", async () => {
    const client = createInventoryServiceClient(channel);
    await client.getItem({ sku: "sku-0005" }, { headers: { authorization: "Bearer alice" } });
    await client.getItem({ sku: "sku-0005" }, { headers: { authorization: "Bearer bob" } });
    await client.getItem({ sku: "sku-0005" }, { headers: { authorization: "Bearer alice" } });
    expect(upstream).toBe(2);
  });

  it("a client created with cache: false sends every call", async () => {
    const client = createInventoryServiceClient(channel, undefined, { cache: false });
    await client.getItem({ sku: "sku-0001" });
    await client.getItem({ sku: "sku-0001" });
    expect(upstream).toBe(2);
  });

  it("$cache.clear() and $cache.invalidate(method) drop cached answers", async () => {
    const client = createInventoryServiceClient(channel);
    await client.getItem({ sku: "sku-0006" });
    client.$cache.clear();
    await client.getItem({ sku: "sku-0006" });
    client.$cache.invalidate("inventory.v1.InventoryService/GetItem");
    await client.getItem({ sku: "sku-0006" });
    expect(upstream).toBe(3);
  });
});

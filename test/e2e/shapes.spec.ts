// End to end: the generated client and serve() in all four RPC shapes, over each protocol, through
// a Sluice channel and through a plain connect-node transport.
import { Code, ConnectError } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createChannel, type Channel, type Protocol } from "@sluice/runtime";
import { createInventoryServiceClient, type InventoryServiceClient } from "../../examples/inventory/gen/inventory/v1/inventory_sluice.js";
import type { InventoryServer } from "../../examples/inventory/src/server.js";
import { closeAll, startServers, staticTarget, uncached } from "../support/inventory.js";

async function* from<T>(items: readonly T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

describe.each<Protocol>(["grpc", "connect", "grpc-web"])("all four shapes over %s", (protocol) => {
  let servers: InventoryServer[];
  let channel: Channel;
  let client: InventoryServiceClient;

  beforeAll(async () => {
    servers = await startServers(2);
    channel = createChannel({ target: staticTarget(servers), protocol });
    client = createInventoryServiceClient(channel, undefined, uncached);
  });
  afterAll(async () => {
    await channel.close();
    await closeAll(servers);
  });

  it("unary: returns the item and which server answered", async () => {
    const response = await client.getItem({ sku: "sku-0007" });
    expect(response.item?.name).toBe("Item 7");
    expect(["server-0", "server-1"]).toContain(response.servedBy);
  });

  it("unary: carries the server's error code and message", async () => {
    const error = await client.getItem({ sku: "nope" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.NotFound);
    expect((error as ConnectError).rawMessage).toBe('no item with sku "nope"');
  });

  it("server streaming: yields every item in order", async () => {
    const skus: string[] = [];
    for await (const item of client.listItems({ skuPrefix: "sku-001" })) skus.push(item.sku);
    expect(skus).toEqual(Array.from({ length: 10 }, (_, i) => `sku-001${i}`));
  });

  {
    it("client streaming: applies every change", async () => {
      const response = await client.updateStock(
        from([
          { sku: "sku-0050", delta: 3 },
          { sku: "sku-0051", delta: -1 },
          { sku: "sku-0050", delta: 2 },
        ]),
      );
      expect(response.applied).toBe(3);
      expect(response.items.map((i) => i.sku).sort()).toEqual(["sku-0050", "sku-0051"]);
    });

    it("bidi: answers each watched sku with its level", async () => {
      const levels: string[] = [];
      for await (const level of client.watchStock(from([{ sku: "sku-0060" }, { sku: "sku-0061" }]))) {
        levels.push(level.sku);
      }
      expect(levels).toEqual(["sku-0060", "sku-0061"]);
    });
  }

  it("applies the generated default timeout and a caller's deadline", async () => {
    const slowServers = await startServers(1, [300]);
    const slowChannel = createChannel({ target: staticTarget(slowServers), protocol });
    try {
      const slowClient = createInventoryServiceClient(slowChannel, { getItem: { timeoutMs: 50 } }, uncached);
      const error = await slowClient.getItem({ sku: "sku-0001" }).catch((e: unknown) => e);
      expect(ConnectError.from(error).code).toBe(Code.DeadlineExceeded);
      const ok = await createInventoryServiceClient(slowChannel, undefined, uncached).getItem({ sku: "sku-0001" }, { timeoutMs: 2000 });
      expect(ok.item?.sku).toBe("sku-0001");
    } finally {
      await slowChannel.close();
      await closeAll(slowServers);
    }
  });
});

describe("generated client over a plain connect-node transport", () => {
  it("calls a Sluice server without a channel", async () => {
    const [server] = await startServers(1);
    try {
      const transport = createGrpcTransport({ baseUrl: server!.url });
      const client = createInventoryServiceClient(transport, undefined, uncached);
      expect((await client.getItem({ sku: "sku-0002" })).item?.sku).toBe("sku-0002");
      const items: string[] = [];
      for await (const item of client.listItems({ limit: 3 })) items.push(item.sku);
      expect(items).toHaveLength(3);
    } finally {
      await server!.close();
    }
  });
});

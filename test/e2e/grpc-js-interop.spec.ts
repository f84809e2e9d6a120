// Interop: a real grpc-js client calls a Sluice server in all four shapes; grpc-js sees the same
// status codes and messages.
import * as grpc from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import {
  InventoryService,
  GetItemRequestSchema,
  ListItemsRequestSchema,
  StockChangeSchema,
  WatchStockRequestSchema,
  type GetItemResponse,
  type Item,
  type StockLevel,
  type UpdateStockResponse,
} from "../../examples/inventory/gen/inventory/v1/inventory_pb.js";
import type { InventoryServer } from "../../examples/inventory/src/server.js";
import { startServers } from "../support/inventory.js";
import { grpcJsService } from "../support/grpc-js-definition.js";

describe("a grpc-js client against serve()", () => {
  let server: InventoryServer;
  let client: grpc.Client & Record<string, (...args: unknown[]) => unknown>;

  beforeAll(async () => {
    [server] = (await startServers(1)) as [InventoryServer];
    const Ctor = grpc.makeGenericClientConstructor(grpcJsService(InventoryService), "InventoryService");
    client = new Ctor(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure()) as typeof client;
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  it("unary", async () => {
    const response = await new Promise<GetItemResponse>((resolve, reject) =>
      client.getItem(create(GetItemRequestSchema, { sku: "sku-0003" }), (err: grpc.ServiceError | null, res: GetItemResponse) =>
        err ? reject(err) : resolve(res),
      ),
    );
    expect(response.item?.sku).toBe("sku-0003");
  });

  it("unary error: grpc-js sees NOT_FOUND and the message", async () => {
    const error = await new Promise<grpc.ServiceError>((resolve) =>
      client.getItem(create(GetItemRequestSchema, { sku: "missing" }), (err: grpc.ServiceError | null) => resolve(err!)),
    );
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.details).toBe('no item with sku "missing"');
  });

  it("server streaming", async () => {
    const call = client.listItems(create(ListItemsRequestSchema, { skuPrefix: "sku-002" })) as grpc.ClientReadableStream<Item>;
    const skus: string[] = [];
    for await (const item of call) skus.push((item as Item).sku);
    expect(skus).toHaveLength(10);
  });

  it("client streaming", async () => {
    const response = await new Promise<UpdateStockResponse>((resolve, reject) => {
      const call = client.updateStock((err: grpc.ServiceError | null, res: UpdateStockResponse) => (err ? reject(err) : resolve(res))) as grpc.ClientWritableStream<object>;
      call.write(create(StockChangeSchema, { sku: "sku-0070", delta: 1 }));
      call.write(create(StockChangeSchema, { sku: "sku-0071", delta: 2 }));
      call.end();
    });
    expect(response.applied).toBe(2);
  });

  it("bidi streaming", async () => {
    const call = client.watchStock() as grpc.ClientDuplexStream<object, StockLevel>;
    call.write(create(WatchStockRequestSchema, { sku: "sku-0080" }));
    call.write(create(WatchStockRequestSchema, { sku: "sku-0081" }));
    call.end();
    const skus: string[] = [];
    for await (const level of call) skus.push((level as StockLevel).sku);
    expect(skus).toEqual(["sku-0080", "sku-0081"]);
  });
});

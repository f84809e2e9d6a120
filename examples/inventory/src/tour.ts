// A short tour of the four RPC shapes through a generated client: what the demo prints first.
import type { InventoryServiceClient } from "../gen/inventory/v1/inventory_sluice.js";

/** Runs one call of each shape and returns lines describing what happened. */
export async function tourOfShapes(client: InventoryServiceClient): Promise<string[]> {
  const lines: string[] = [];
  const got = await client.getItem({ sku: "sku-0001" });
  lines.push(`unary         getItem("sku-0001") → ${got.item?.name ?? "?"}, quantity ${got.item?.quantity ?? 0}, served by ${got.servedBy}`);

  let listed = 0;
  for await (const item of client.listItems({ skuPrefix: "sku-00", limit: 25 })) {
    if (item.sku.startsWith("sku-00")) listed++;
  }
  lines.push(`server stream listItems("sku-00", limit 25) → ${listed} items`);

  async function* changes() {
    yield { sku: "sku-0002", delta: 5 };
    yield { sku: "sku-0003", delta: -2 };
    yield { sku: "sku-0002", delta: 1 };
  }
  const updated = await client.updateStock(changes());
  lines.push(`client stream updateStock(3 changes) → applied ${updated.applied}, ${updated.items.length} items touched`);

  async function* watch() {
    yield { sku: "sku-0004" };
    yield { sku: "sku-0005" };
  }
  const levels: string[] = [];
  for await (const level of client.watchStock(watch())) {
    levels.push(`${level.sku}=${level.quantity}`);
  }
  lines.push(`bidi stream   watchStock(2 skus) → ${levels.join(", ")}`);

  const put = await client.putItem({ item: { sku: "sku-new", name: "New item", quantity: 3 } });
  lines.push(`unary         putItem("sku-new") → created ${String(put.created)}`);
  return lines;
}

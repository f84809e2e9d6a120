// The example's in-memory inventory: items by sku; every stock change is published into an event
// hub keyed by sku, which WatchStock calls subscribe to.
import { create } from "@bufbuild/protobuf";
import { createHub, type Hub } from "@sluice/runtime";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { ItemSchema, type Item } from "../gen/inventory/v1/inventory_pb.js";

/** A stock level change, as watchers see it. */
export interface StockEvent {
  readonly sku: string;
  readonly quantity: number;
}

/** An in-memory inventory shared by the handlers of one server. */
export interface InventoryStore {
  get(sku: string): Item | undefined;
  /** Items in sku order whose sku starts with `prefix`. */
  list(prefix: string): Item[];
  /** Creates or replaces an item; returns whether it was new. */
  put(item: Item): boolean;
  /** Adds `delta` to an item's quantity (never below zero); undefined for an unknown sku. */
  adjust(sku: string, delta: number): Item | undefined;
  /** Stock changes, keyed by sku: each watcher has a bounded queue and is ended if it falls behind. */
  readonly events: Hub<StockEvent>;
  /** Number of live subscriptions (the tests check that cancelled watches free theirs). */
  readonly subscribers: number;
}

/** Creates a store seeded with `count` items `sku-0000`, `sku-0001`, …. */
export function createInventoryStore(count = 100): InventoryStore {
  const items = new Map<string, Item>();
  // A watcher more than 1,024 changes behind is ended with RESOURCE_EXHAUSTED (it re-reads the
  // levels when it watches again); the last 4,096 changes are kept for resuming subscribers.
  const events = createHub<StockEvent>({ queueSize: 1024, slowConsumer: "end", replaySize: 4096 });
  for (let i = 0; i < count; i++) {
    const sku = `sku-${String(i).padStart(4, "0")}`;
    items.set(
      sku,
      create(ItemSchema, { sku, name: `Item ${i}`, priceCents: BigInt(100 + i), quantity: 10 + (i % 7), updatedAt: timestampNow() }),
    );
  }
  return {
    get: (sku) => items.get(sku),
    list: (prefix) =>
      [...items.values()].filter((item) => item.sku.startsWith(prefix)).sort((a, b) => (a.sku < b.sku ? -1 : 1)),
    put(item) {
      const created = !items.has(item.sku);
      items.set(item.sku, create(ItemSchema, { ...item, updatedAt: timestampNow() }));
      events.publish(item.sku, { sku: item.sku, quantity: item.quantity });
      return created;
    },
    adjust(sku, delta) {
      const item = items.get(sku);
      if (item === undefined) return undefined;
      const next = create(ItemSchema, { ...item, quantity: Math.max(0, item.quantity + delta), updatedAt: timestampNow() });
      items.set(sku, next);
      events.publish(sku, { sku, quantity: next.quantity });
      return next;
    },
    events,
    get subscribers() {
      return events.stats().subscribers;
    },
  };
}

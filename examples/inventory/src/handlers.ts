// The example's typed handlers: one per method of inventory.v1.InventoryService, over a store.
import { Code, ConnectError, type HandlerContext } from "@sluice/runtime";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import type { InventoryServiceHandlers } from "../gen/inventory/v1/inventory_sluice.js";
import type { InventoryStore, StockEvent } from "./store.js";
import { setTimeout as delay } from "node:timers/promises";

/** How a server of the example fleet behaves. */
export interface HandlerOptions {
  /** Reported in GetItem responses as `served_by`. */
  readonly name: string;
  /** Extra latency added to every GetItem, in milliseconds (the demo's "slow" endpoint). */
  readonly delayMs?: number;
}

/** Waits `ms`, or fails with CANCELED when the call is cancelled first (no listener left behind). */
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  ms <= 0
    ? Promise.resolve()
    : delay(ms, undefined, { signal }).catch(() => {
        throw ConnectError.from(signal.reason, Code.Canceled);
      });

/** Creates the handlers of one inventory server. */
export function createInventoryHandlers(store: InventoryStore, options: HandlerOptions): InventoryServiceHandlers {
  return {
    async getItem(request, context) {
      if (request.sku === "") {
        throw new ConnectError("sku is required", Code.InvalidArgument);
      }
      await sleep(options.delayMs ?? 0, context.signal);
      const item = store.get(request.sku);
      if (item === undefined) {
        throw new ConnectError(`no item with sku "${request.sku}"`, Code.NotFound);
      }
      return { item, servedBy: options.name };
    },
    async *listItems(request) {
      const items = store.list(request.skuPrefix);
      const limit = request.limit > 0 ? request.limit : items.length;
      for (const item of items.slice(0, limit)) {
        yield item;
      }
    },
    async updateStock(requests) {
      let applied = 0;
      const touched = new Map<string, ReturnType<InventoryStore["adjust"]>>();
      for await (const change of requests) {
        const item = store.adjust(change.sku, change.delta);
        if (item === undefined) {
          throw new ConnectError(`no item with sku "${change.sku}"`, Code.NotFound);
        }
        applied++;
        touched.set(change.sku, item);
      }
      const items = [...touched.values()].filter((i) => i !== undefined);
      return { applied, items };
    },
    watchStock(requests, context) {
      return watchStock(store, requests, context);
    },
    putItem(request) {
      if (request.item === undefined || request.item.sku === "") {
        throw new ConnectError("item.sku is required", Code.InvalidArgument);
      }
      const created = store.put(request.item);
      return { item: store.get(request.item.sku), created };
    },
  };
}

/**
 * Bidi stream: the client names skus to watch; the server answers with the current level of each
 * new sku, then with every change the store's event hub delivers for the watched skus, until
 * either side ends. A watcher that falls more than its queue behind ends with RESOURCE_EXHAUSTED.
 * Frees its hub subscription on exit.
 */
async function* watchStock(
  store: InventoryStore,
  requests: AsyncIterable<{ sku: string }>,
  context: HandlerContext,
): AsyncGenerator<{ sku: string; quantity: number; at: ReturnType<typeof timestampNow> }> {
  const subscription = store.events.subscribe({ keys: [] });
  const current: StockEvent[] = [];
  let wake: (() => void) | undefined;
  let inputDone = false;
  let inputError: unknown;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  subscription.onReadable(notify);
  context.signal.addEventListener("abort", notify);
  const reader = (async () => {
    try {
      for await (const request of requests) {
        if (subscription.closed) break;
        subscription.watch(request.sku);
        const item = store.get(request.sku);
        current.push({ sku: request.sku, quantity: item?.quantity ?? 0 });
        notify();
      }
    } catch (error) {
      inputError = error;
    } finally {
      inputDone = true;
      notify();
    }
  })();
  const seen = new Set<string>();
  try {
    for (;;) {
      const first = current.shift();
      if (first !== undefined) {
        // The current level of a newly watched sku (a repeated sku is a no-op).
        if (!seen.has(first.sku)) {
          seen.add(first.sku);
          yield { sku: first.sku, quantity: first.quantity, at: timestampNow() };
        }
        continue;
      }
      const event = subscription.take();
      if (event !== undefined) {
        yield { sku: event.value.sku, quantity: event.value.quantity, at: timestampNow() };
        continue;
      }
      if (subscription.error !== undefined) throw subscription.error;
      if (context.signal.aborted) return;
      if (inputDone) {
        if (inputError !== undefined) throw inputError;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    subscription.close();
    context.signal.removeEventListener("abort", notify);
    void reader;
  }
}

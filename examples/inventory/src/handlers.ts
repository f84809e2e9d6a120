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

/** One level a watcher is sent: a current level, a replayed change or a live one. */
interface Level extends StockEvent {
  /** The hub sequence number it corresponds to. */
  readonly seq: number;
}

/**
 * Bidi stream: the client names skus to watch; the server answers with the current level of each
 * new sku (or, for a request with `last_seq`, the sku's changes after that seq from the hub's replay
 * buffer), then with every change the store's event hub delivers for the watched skus, until either
 * side ends. A watcher that falls more than its queue behind ends with RESOURCE_EXHAUSTED, one that
 * resumes from a seq the buffer no longer holds with OUT_OF_RANGE. Frees its hub subscription on exit.
 */
async function* watchStock(
  store: InventoryStore,
  requests: AsyncIterable<{ sku: string; lastSeq?: bigint }>,
  context: HandlerContext,
): AsyncGenerator<{ sku: string; quantity: number; at: ReturnType<typeof timestampNow>; seq: bigint }> {
  const subscription = store.events.subscribe({ keys: [] });
  const pending: Level[] = [];
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
    const watched = new Set<string>();
    try {
      for await (const request of requests) {
        if (subscription.closed) break;
        // A repeated sku is a no-op.
        if (watched.has(request.sku)) continue;
        watched.add(request.sku);
        if (request.lastSeq === undefined) {
          const item = store.get(request.sku);
          pending.push({ sku: request.sku, quantity: item?.quantity ?? 0, seq: store.events.lastSeq });
        } else {
          pending.push(...missedChanges(store, request.sku, request.lastSeq));
        }
        // In the same turn as the snapshot or replay above: no change can fall between them.
        subscription.watch(request.sku);
        notify();
      }
    } catch (error) {
      inputError = error;
    } finally {
      inputDone = true;
      notify();
    }
  })();
  const levelOf = (level: Level) => ({ sku: level.sku, quantity: level.quantity, at: timestampNow(), seq: BigInt(level.seq) });
  try {
    for (;;) {
      if (inputError !== undefined) throw inputError;
      // Current levels and replayed changes of newly watched skus go before live changes: a
      // sku's live changes only enter the queue once it is watched, so each sku's seqs grow.
      const first = pending.shift();
      if (first !== undefined) {
        yield levelOf(first);
        continue;
      }
      const event = subscription.take();
      if (event !== undefined) {
        yield levelOf({ ...event.value, seq: event.seq });
        continue;
      }
      if (subscription.error !== undefined) throw subscription.error;
      if (context.signal.aborted || inputDone) return;
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

/**
 * The changes to `sku` published after `lastSeq`, read from the hub's replay buffer.
 * @throws ConnectError OUT_OF_RANGE when the buffer no longer holds them all, or `lastSeq` is past
 *   the last published seq; INVALID_ARGUMENT when it is not a safe integer.
 */
function missedChanges(store: InventoryStore, sku: string, lastSeq: bigint): Level[] {
  const afterSeq = Number(lastSeq);
  // A subscription of its own for the replay, with room for every change since (at most the
  // replay buffer's size when the hub can answer at all), closed at once.
  const replay = store.events.subscribe({ keys: [sku], afterSeq, queueSize: Math.max(1, store.events.lastSeq - afterSeq) });
  const missed: Level[] = [];
  for (let event = replay.take(); event !== undefined; event = replay.take()) missed.push({ ...event.value, seq: event.seq });
  replay.close();
  return missed;
}

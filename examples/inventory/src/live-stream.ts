// The demo's live stream: watchers follow hot skus through WatchStock (as rxjs Observables) while a
// writer streams stock changes in with UpdateStock; the server's event hub fans each change out.
import { Code, ConnectError, createChannel } from "@sluice/runtime";
import { concat, from, NEVER, type Subscription } from "rxjs";
import { createInventoryServiceClient } from "../gen/inventory/v1/inventory_sluice.js";

/** Options of {@link runLiveStream}. */
export interface LiveStreamOptions {
  /** `static:///host:port` of the one server whose hub is watched (a store is per server). */
  readonly target: string;
  readonly seconds: number;
  /** WatchStock calls open at once (default 50). */
  readonly watchers?: number;
  /** Changes the writer sends per second (default 2,000), spread over the hot skus. */
  readonly changesPerSecond?: number;
  /** Called about once a second with the rates of the last second. */
  readonly onTick?: (tick: LiveStreamTick) => void;
}

/** Rates over one interval. */
export interface LiveStreamTick {
  readonly elapsedSeconds: number;
  readonly changesPerSecond: number;
  readonly deliveredPerSecond: number;
}

/** What the live stream did. */
export interface LiveStreamResult extends LiveStreamTick {
  readonly watchers: number;
  /** Watchers the hub ended as slow consumers (RESOURCE_EXHAUSTED). */
  readonly endedSlow: number;
  /** Watchers that failed otherwise. */
  readonly failed: number;
}

const hotSkus = Array.from({ length: 10 }, (_, i) => `sku-${String(i).padStart(4, "0")}`);

/** Runs watchers and a paced writer for `seconds`, counting the levels the watchers receive. */
export async function runLiveStream(options: LiveStreamOptions): Promise<LiveStreamResult> {
  const watchers = options.watchers ?? 50;
  const rate = options.changesPerSecond ?? 2000;
  const channel = createChannel({ target: options.target });
  const client = createInventoryServiceClient(channel);
  await channel.waitForReady(10_000);
  let delivered = 0;
  let written = 0;
  let endedSlow = 0;
  let failed = 0;
  const subscriptions: Subscription[] = [];
  for (let i = 0; i < watchers; i++) {
    // The request stream stays open (NEVER): the watch lasts until it is unsubscribed.
    const requests = concat(from(hotSkus.map((sku) => ({ sku }))), NEVER);
    subscriptions.push(
      client.watchStock$(requests).subscribe({
        next: () => delivered++,
        error: (error: unknown) => (ConnectError.from(error).code === Code.ResourceExhausted ? endedSlow++ : failed++),
      }),
    );
  }
  // Every watcher has its current levels before the clock starts.
  while (delivered < watchers * hotSkus.length && failed + endedSlow === 0) await new Promise((r) => setTimeout(r, 10));
  delivered = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  async function* changes(): AsyncGenerator<{ sku: string; delta: number }> {
    const perTick = Math.max(1, Math.round(rate / 100));
    for (let tick = 0; performance.now() < deadline; tick++) {
      for (let k = 0; k < perTick; k++, written++) yield { sku: hotSkus[written % hotSkus.length]!, delta: written % 2 === 0 ? 1 : -1 };
      // Paced at 100 ticks a second, against the wall clock.
      const due = started + (tick + 1) * 10;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  let last = { at: started, delivered: 0, written: 0 };
  const ticker = setInterval(() => {
    const now = performance.now();
    const seconds = (now - last.at) / 1000;
    options.onTick?.({
      elapsedSeconds: (now - started) / 1000,
      changesPerSecond: (written - last.written) / seconds,
      deliveredPerSecond: (delivered - last.delivered) / seconds,
    });
    last = { at: now, delivered, written };
  }, 1000);
  try {
    await client.updateStock(changes(), { timeoutMs: options.seconds * 1000 + 10_000 });
    // Let the last changes reach the watchers.
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    clearInterval(ticker);
    for (const s of subscriptions) s.unsubscribe();
    await channel.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    watchers,
    elapsedSeconds: seconds,
    changesPerSecond: written / seconds,
    deliveredPerSecond: delivered / seconds,
    endedSlow,
    failed,
  };
}

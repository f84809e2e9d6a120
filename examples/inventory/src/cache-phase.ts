// The demo's cache phase: the same GetItem load with the response cache the .proto declares, so the
// summary shows its hit ratio and the calls it saved next to the uncached phases.
import { createChannel } from "@sluice/runtime";
import { createInventoryServiceClient } from "../gen/inventory/v1/inventory_sluice.js";

/** What the cache phase did. */
export interface CachePhaseResult {
  readonly calls: number;
  readonly seconds: number;
  readonly hits: number;
  readonly misses: number;
  readonly coalesced: number;
  readonly staleServed: number;
  readonly errors: number;
}

/**
 * Runs `concurrency` callers for `seconds` against `target`, each asking for skus drawn from a
 * skewed popularity (a few hot items, a long tail of 100), through a generated client with its
 * default cache (GetItem: TTL 2 s, W-TinyLFU, stale-while-revalidate 1 s).
 */
export async function runCachePhase(target: string, channelOptions: object, seconds: number, concurrency: number): Promise<CachePhaseResult> {
  const channel = createChannel({ target, ...channelOptions, balancer: "peak-ewma" });
  const client = createInventoryServiceClient(channel);
  await channel.waitForReady(10_000);
  let calls = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = 0; performance.now() < deadline && i < 10_000_000; i++) {
        // Rank r is asked for about as often as 1/r: sku-0000 most, sku-0099 least.
        const rank = Math.min(99, Math.floor(Math.exp(Math.random() * Math.log(100))) - 1);
        try {
          await client.getItem({ sku: `sku-${String(rank).padStart(4, "0")}` });
          calls++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const stats = client.$cache.stats()["inventory.v1.InventoryService/GetItem"];
  await channel.close();
  return {
    calls,
    seconds: elapsed,
    hits: stats?.hits ?? 0,
    misses: stats?.misses ?? 0,
    coalesced: stats?.coalesced ?? 0,
    staleServed: stats?.staleServed ?? 0,
    errors,
  };
}

// The demo's overload burst: one server of fixed capacity behind an adaptive concurrency limit is
// offered four times what it can do; calls over the limit are shed at once instead of queueing.
import { Code, ConnectError, createChannel, serve } from "@sluice/runtime";
import { createInventoryServiceClient, registerInventoryService } from "../gen/inventory/v1/inventory_sluice.js";
import { createInventoryHandlers } from "./handlers.js";
import { createInventoryStore } from "./store.js";

/** What the burst did. */
export interface OverloadBurstResult {
  readonly offered: number;
  readonly served: number;
  readonly shed: number;
  readonly failed: number;
  /** Median time to a shed answer, ms. */
  readonly shedP50Ms: number;
  /** Median time of a served call, ms. */
  readonly servedP50Ms: number;
  /** The server's adapted concurrency limit at the end. */
  readonly limit: number;
  /** Calls shed as the server counted them. */
  readonly serverShed: number;
}

const median = (values: number[]): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/**
 * Starts a server that can work on `capacity` GetItem calls at once, `serviceMs` each (the rest
 * wait, as work behind a busy CPU does), with `serve({ limits })` (Gradient2 from the capacity, up
 * to 4× it), and offers it `multiple` × its capacity at a fixed arrival rate for `seconds`, each
 * call with a 2 s deadline.
 */
export async function runOverloadBurst(seconds: number, capacity = 16, serviceMs = 10, multiple = 4): Promise<OverloadBurstResult> {
  let busy = 0;
  const waiting: Array<() => void> = [];
  const handlers = createInventoryHandlers(createInventoryStore(), { name: "overloaded" });
  const server = await serve({
    host: "127.0.0.1",
    limits: { concurrency: { algorithm: "gradient2", initialLimit: capacity, minLimit: 2, maxLimit: capacity * 4 } },
    routes: (router) =>
      registerInventoryService(router, {
        ...handlers,
        async getItem(request, context) {
          if (busy >= capacity) await new Promise<void>((resolve) => waiting.push(resolve));
          busy++;
          try {
            await new Promise((resolve) => setTimeout(resolve, serviceMs));
            return await handlers.getItem(request, context);
          } finally {
            busy--;
            waiting.shift()?.();
          }
        },
      }),
  });
  const channel = createChannel({ target: `static:///127.0.0.1:${server.port}` });
  const client = createInventoryServiceClient(channel, { getItem: { retry: null } }, { cache: false });
  await channel.waitForReady(5000);
  const perSecond = (capacity * 1000 * multiple) / serviceMs;
  const servedMs: number[] = [];
  const shedMs: number[] = [];
  let failed = 0;
  const calls: Promise<void>[] = [];
  const started = performance.now();
  // Open loop: calls start on the clock, whatever the answers, in 10 ms ticks.
  for (let tick = 0; performance.now() - started < seconds * 1000 && tick < 100_000; tick++) {
    const due = Math.floor(((performance.now() - started) / 1000) * perSecond) - calls.length;
    for (let i = 0; i < due; i++) {
      const t0 = performance.now();
      calls.push(
        client.getItem({ sku: "sku-0001" }, { timeoutMs: 2000 }).then(
          () => void servedMs.push(performance.now() - t0),
          (error: unknown) => {
            if (ConnectError.from(error).code === Code.ResourceExhausted) shedMs.push(performance.now() - t0);
            else failed++;
          },
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(calls);
  const limits = server.limits;
  await channel.close();
  await server.close();
  return {
    offered: calls.length,
    served: servedMs.length,
    shed: shedMs.length,
    failed,
    shedP50Ms: median(shedMs),
    servedP50Ms: median(servedMs),
    limit: limits?.limit ?? 0,
    serverShed: limits?.shed ?? 0,
  };
}

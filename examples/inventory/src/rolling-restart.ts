// The demo's rolling restart: callers keep calling GetItem (idempotent, retried per the proto) and
// PutItem (a mutation, never retried) while each server of the fleet is replaced in turn.
import { ConnectError } from "@connectrpc/connect";
import { createChannel } from "@sluice/runtime";
import { createInventoryServiceClient } from "../gen/inventory/v1/inventory_sluice.js";
import type { Fleet } from "./fleet.js";

/** What happened during a rolling restart. */
export interface RollingRestartResult {
  readonly seconds: number;
  readonly getItem: number;
  readonly putItem: number;
  /** Retries the channel's clients made (from its stats). */
  readonly retries: number;
  readonly failures: readonly string[];
}

/** Replaces every member of `fleet` one after another while `concurrency` callers run. */
export async function rollingRestart(fleet: Fleet, concurrency: number): Promise<RollingRestartResult> {
  const channel = createChannel({ target: fleet.target, ...fleet.channelOptions, balancer: "peak-ewma" });
  const client = createInventoryServiceClient(channel);
  await channel.waitForReady({ endpoints: fleet.members.length, timeoutMs: 10_000 });
  const failures: string[] = [];
  let getItem = 0;
  let putItem = 0;
  let running = true;
  const caller = async (id: number): Promise<void> => {
    for (let i = 0; running && i < 1_000_000; i++) {
      const sku = `sku-${String((id * 31 + i) % 100).padStart(4, "0")}`;
      try {
        if (id % 4 === 0) {
          await client.putItem({ item: { sku, name: `item ${sku}`, quantity: i % 50 } });
          putItem++;
        } else {
          await client.getItem({ sku });
          getItem++;
        }
      } catch (error) {
        failures.push(`${id % 4 === 0 ? "PutItem" : "GetItem"}: ${ConnectError.from(error).message}`);
      }
    }
  };
  const started = performance.now();
  const callers = Array.from({ length: concurrency }, (_, id) => caller(id));
  try {
    for (let index = 0; index < fleet.members.length; index++) {
      await fleet.restart(index);
      const address = fleet.addresses[index];
      // Wait until the channel has found and connected to the new instance before the next one goes.
      const deadline = Date.now() + 10_000;
      while (!channel.stats().endpoints.some((e) => e.address === address && e.state === "ready") && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      process.stdout.write(`  replaced ${fleet.members[index]!.name} → ${address}\n`);
    }
  } finally {
    running = false;
    await Promise.all(callers);
  }
  const seconds = (performance.now() - started) / 1000;
  const retries = channel.stats().attempts.retries;
  await channel.close();
  return { seconds, getItem, putItem, retries, failures };
}

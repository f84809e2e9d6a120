// The example's WatchStock resumes from the last seq a watcher saw: after a reconnect it first gets
// exactly the changes it missed (from the hub's replay buffer), then live ones; a seq the buffer no
// longer holds, or one the server never published, fails the call with OUT_OF_RANGE.
import { Code, ConnectError, createChannel, type Channel } from "@sluice/runtime";
import { concat, NEVER, of } from "rxjs";
import { createInventoryServiceClient, type InventoryServiceClient } from "../../examples/inventory/gen/inventory/v1/inventory_sluice.js";
import type { StockLevel } from "../../examples/inventory/gen/inventory/v1/inventory_pb.js";
import type { InventoryServer } from "../../examples/inventory/src/server.js";
import { closeAll, eventually, startServers, staticTarget, uncached } from "../support/inventory.js";

/** The example store's replay buffer (examples/inventory/src/store.ts). */
const replaySize = 4096;

describe("WatchStock resume from the last seq seen", () => {
  let server: InventoryServer;
  let channel: Channel;
  let client: InventoryServiceClient;
  beforeAll(async () => {
    [server] = (await startServers(1)) as [InventoryServer];
    channel = createChannel({ target: staticTarget([server]) });
    client = createInventoryServiceClient(channel, undefined, uncached);
    await channel.waitForReady(5000);
  });
  afterAll(async () => {
    await channel.close(100);
    await closeAll([server]);
  });

  /** Opens a watch whose request stream stays open (one request), as an iterator. */
  const watch = (request: { sku: string; lastSeq?: bigint }): AsyncIterator<StockLevel> =>
    client.watchStock(concat(of(request), NEVER))[Symbol.asyncIterator]();
  const next = async (levels: AsyncIterator<StockLevel>): Promise<StockLevel> => {
    const result = await levels.next();
    if (result.done === true) throw new Error("the watch ended");
    return result.value;
  };

  it("sends a reconnecting watcher exactly the changes it missed, in order, then live changes", async () => {
    const sku = "sku-0001";
    const first = watch({ sku });
    const current = await next(first);
    expect(current).toMatchObject({ sku, quantity: server.store.get(sku)!.quantity, seq: BigInt(server.store.events.lastSeq) });
    server.store.adjust(sku, 5);
    server.store.adjust("sku-0002", 1); // not watched
    server.store.adjust(sku, -2);
    const live = [await next(first), await next(first)];
    expect(live.map((l) => l.quantity)).toEqual([current.quantity + 5, current.quantity + 3]);
    expect(live[0]!.seq).toBeGreaterThan(current.seq);
    expect(live[1]!.seq).toBe(live[0]!.seq + 2n);
    const lastSeen = live[1]!.seq;
    await first.return!();
    await eventually(() => server.store.subscribers === 0, 5000, "the first watch's subscription closed");

    // Missed while disconnected: two changes of the sku, one of another.
    server.store.adjust(sku, 10);
    server.store.adjust("sku-0003", 1);
    server.store.adjust(sku, -1);
    const resumed = watch({ sku, lastSeq: lastSeen });
    const missed = [await next(resumed), await next(resumed)];
    expect(missed.map((l) => [l.seq, l.quantity])).toEqual([
      [lastSeen + 1n, current.quantity + 13],
      [lastSeen + 3n, current.quantity + 12],
    ]);
    // Then live changes, after the replayed ones.
    server.store.adjust(sku, 1);
    expect(await next(resumed)).toMatchObject({ sku, quantity: current.quantity + 13, seq: lastSeen + 4n });
    await resumed.return!();

    // Resuming from the latest seq misses nothing: the first level is the next live change.
    const upToDate = watch({ sku, lastSeq: BigInt(server.store.events.lastSeq) });
    const pending = next(upToDate);
    await eventually(() => server.store.subscribers === 1, 5000, "the up-to-date watch subscribed");
    server.store.adjust(sku, 1);
    expect(await pending).toMatchObject({ quantity: current.quantity + 14, seq: BigInt(server.store.events.lastSeq) });
    await upToDate.return!();
    await eventually(() => server.store.subscribers === 0, 5000, "every subscription closed");
  });

  it("fails with OUT_OF_RANGE, saying which seqs are kept, when the replay buffer no longer holds what was missed", async () => {
    const sku = "sku-0004";
    const first = watch({ sku });
    const lastSeen = (await next(first)).seq;
    await first.return!();
    // More changes than the replay buffer keeps (to other skus: the buffer is shared).
    for (let i = 0; i < replaySize + 10; i++) server.store.adjust("sku-0005", i % 2 === 0 ? 1 : -1);
    const error = await next(watch({ sku, lastSeq: lastSeen })).catch((e: unknown) => ConnectError.from(e));
    expect(error).toMatchObject({ code: Code.OutOfRange });
    expect((error as ConnectError).rawMessage).toMatch(new RegExp(`cannot resume after seq ${lastSeen}: the replay buffer holds seq \\d+ to ${server.store.events.lastSeq}`));
    await eventually(() => server.store.subscribers === 0, 5000, "the failed watch left no subscription");
  });

  it("fails with OUT_OF_RANGE for a seq this server never published (e.g. one from before a restart)", async () => {
    const ahead = BigInt(server.store.events.lastSeq + 1000);
    const error = await next(watch({ sku: "sku-0006", lastSeq: ahead })).catch((e: unknown) => ConnectError.from(e));
    expect(error).toMatchObject({ code: Code.OutOfRange });
    expect((error as ConnectError).rawMessage).toContain(`the hub's last event is seq ${server.store.events.lastSeq}`);
    await eventually(() => server.store.subscribers === 0, 5000, "the failed watch left no subscription");
  });
});

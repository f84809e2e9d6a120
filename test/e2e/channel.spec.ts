// End to end: the channel balances over real server processes, routes around a killed one, uses a
// restarted one again, drains endpoints that leave the resolved set, and fails fast with a clear error.
import { Code, ConnectError } from "@connectrpc/connect";
import { createChannel, type Channel } from "@sluice/runtime";
import { createInventoryServiceClient } from "../../examples/inventory/gen/inventory/v1/inventory_sluice.js";
import { spawnServer, type ServerProcess } from "../support/processes.js";
import { eventually, uncached } from "../support/inventory.js";
import { manualResolver } from "../support/manual-resolver.js";

/** Waits until the channel has `count` endpoints and every one is ready. */
async function allReady(channel: Channel, count: number): Promise<void> {
  await eventually(() => {
    const endpoints = channel.stats().endpoints;
    return endpoints.length === count && endpoints.every((e) => e.state === "ready");
  }, 5000, `${count} endpoints ready`);
}

async function countServedBy(channel: Channel, calls: number): Promise<Map<string, number>> {
  const client = createInventoryServiceClient(channel, undefined, uncached);
  const counts = new Map<string, number>();
  for (let i = 0; i < calls; i++) {
    const { servedBy } = await client.getItem({ sku: "sku-0001" });
    counts.set(servedBy, (counts.get(servedBy) ?? 0) + 1);
  }
  return counts;
}

describe("channel over three server processes", () => {
  let servers: ServerProcess[] = [];
  let channel: Channel | undefined;

  beforeEach(async () => {
    servers = await Promise.all(["a", "b", "c"].map((name) => spawnServer(name)));
  });
  afterEach(async () => {
    await channel?.close();
    channel = undefined;
    await Promise.all(servers.map((s) => s.kill()));
  });

  it("round robin spreads calls evenly", async () => {
    channel = createChannel({ target: `static:///${servers.map((s) => s.address).join(",")}`, balancer: "round-robin" });
    await channel.waitForReady(5000);
    await allReady(channel, 3);
    const counts = await countServedBy(channel, 300);
    expect([...counts.keys()].sort()).toEqual(["a", "b", "c"]);
    for (const n of counts.values()) expect(n).toBe(100);
  });

  it("routes around a killed endpoint, fails its in-flight calls with UNAVAILABLE, and uses it again after restart", async () => {
    const slow = await spawnServer("slow", { delayMs: 2000 });
    servers.push(slow);
    channel = createChannel({ target: `static:///${[servers[0]!, servers[1]!, slow].map((s) => s.address).join(",")}`, backoff: { initialMs: 100, maxMs: 200 } });
    await allReady(channel, 3);
    const client = createInventoryServiceClient(channel, { getItem: { retry: null } }, uncached); // the channel, not retries, is under test
    // Calls in flight on the slow server when it dies must fail, not hang.
    const inFlight = Array.from({ length: 6 }, () => client.getItem({ sku: "sku-0001" }, { timeoutMs: 10_000 }).then((r) => r.servedBy, (e: unknown) => ConnectError.from(e)));
    await eventually(() => (channel!.stats().endpoints.find((e) => e.address === slow.address)?.inFlight ?? 0) > 0, 5000, "calls in flight on slow");
    const started = Date.now();
    await slow.kill();
    const outcomes = await Promise.all(inFlight);
    expect(Date.now() - started).toBeLessThan(3000);
    const failures = outcomes.filter((o): o is ConnectError => o instanceof ConnectError);
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) expect(f.code).toBe(Code.Unavailable);
    // New calls avoid the dead endpoint within a bounded time.
    await eventually(() => channel!.stats().endpoints.find((e) => e.address === slow.address)?.state !== "ready", 3000, "dead endpoint leaves ready");
    const after = await countServedBy(channel, 40);
    expect(after.get("slow")).toBeUndefined();
    expect((after.get("a") ?? 0) + (after.get("b") ?? 0)).toBe(40);
    // Restarted on the same port, it is picked again.
    const restarted = await spawnServer("slow", { port: slow.port });
    servers.push(restarted);
    await eventually(() => channel!.stats().endpoints.find((e) => e.address === slow.address)?.state === "ready", 5000, "restarted endpoint ready");
    const again = await Promise.all(Array.from({ length: 6 }, () => client.getItem({ sku: "sku-0001" }).then((r) => r.servedBy)));
    expect(again).toContain("slow");
  });

  it("drains an endpoint that leaves the resolved set: its call in flight finishes, new calls go elsewhere", async () => {
    const slow = await spawnServer("slow", { delayMs: 300 });
    servers.push(slow);
    const resolver = manualResolver();
    channel = createChannel({ target: "static:///unused:1", resolver, balancer: "round-robin" });
    resolver.push([{ address: slow.address }]);
    await channel.waitForReady(5000);
    const client = createInventoryServiceClient(channel, undefined, uncached);
    const pending = client.getItem({ sku: "sku-0001" });
    await eventually(() => channel!.stats().endpoints[0]?.inFlight === 1, 2000, "call in flight");
    resolver.push([{ address: servers[0]!.address }]);
    expect((await pending).servedBy).toBe("slow");
    await channel.waitForReady(5000);
    const next = await client.getItem({ sku: "sku-0001" });
    expect(next.servedBy).toBe("a");
    expect(channel.stats().endpoints.map((e) => e.address)).toEqual([servers[0]!.address]);
  });

  it("fails fast with UNAVAILABLE naming each endpoint's state when none is reachable", async () => {
    const dead = servers.splice(0, 2);
    await Promise.all(dead.map((s) => s.kill()));
    channel = createChannel({ target: `static:///${dead.map((s) => s.address).join(",")}`, backoff: { initialMs: 5000 } });
    await eventually(() => channel!.stats().endpoints.length === 2 && channel!.stats().endpoints.every((e) => e.state === "transient-failure"), 5000, "all failed");
    const error = await createInventoryServiceClient(channel, undefined, uncached)
      .getItem({ sku: "sku-0001" })
      .then(
        () => new ConnectError("expected the call to fail", Code.Unknown),
        (e: unknown) => ConnectError.from(e),
      );
    expect(error.code).toBe(Code.Unavailable);
    for (const s of dead) expect(error.rawMessage).toContain(`${s.address} transient-failure`);
  });
});

describe("channel configuration errors", () => {
  it("names the field and the accepted values", () => {
    expect(() => createChannel({ target: "static:///127.0.0.1:1", protocol: "http3" as never })).toThrow(
      'protocol: unknown protocol "http3"; accepted: grpc, connect, grpc-web',
    );
    expect(() => createChannel({ target: "static:///127.0.0.1:1", balancer: "fastest" as never })).toThrow(/balancer.*fastest/);
    expect(() => createChannel({ target: "" })).toThrow(/^target:/);
    expect(() => createChannel({ target: "static:///127.0.0.1:1", keepalive: { pingIntervalMs: 2 ** 31 } })).toThrow(
      "keepalive.pingIntervalMs: must be a number of milliseconds from 1 to 2147483647, got 2147483648",
    );
  });
});

describe("channel close", () => {
  it("waits for calls in flight, but no longer than its grace period", async () => {
    const slow = await spawnServer("slow", { delayMs: 3000 });
    const channel = createChannel({ target: `static:///${slow.address}` });
    try {
      await channel.waitForReady(5000);
      const client = createInventoryServiceClient(channel, undefined, uncached);
      const pending = client.getItem({ sku: "sku-0001" }, { timeoutMs: 10_000 }).then(
        () => "ok",
        (e: unknown) => ConnectError.from(e).code,
      );
      await eventually(() => channel.stats().endpoints[0]?.inFlight === 1, 2000, "call in flight");
      const started = Date.now();
      await channel.close(200);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(await pending).not.toBe("ok");
      const after = await client.getItem({ sku: "sku-0001" }).catch((e: unknown) => ConnectError.from(e));
      expect((after as ConnectError).code).toBe(Code.Unavailable);
      expect((after as ConnectError).rawMessage).toBe("channel closed");
    } finally {
      await slow.kill();
    }
  });
});

describe("channel call accounting", () => {
  it("a stream cancelled through its signal frees its in-flight count at once", async () => {
    const server = await spawnServer("a");
    const channel = createChannel({ target: `static:///${server.address}` });
    try {
      await channel.waitForReady(5000);
      const client = createInventoryServiceClient(channel, undefined, uncached);
      const controller = new AbortController();
      const iterator = client.listItems({}, { signal: controller.signal })[Symbol.asyncIterator]();
      expect((await iterator.next()).done).toBe(false);
      expect(channel.stats().endpoints[0]!.inFlight).toBe(1);
      controller.abort();
      expect(channel.stats().endpoints[0]!.inFlight).toBe(0);
      const started = Date.now();
      await channel.close(2000);
      expect(Date.now() - started).toBeLessThan(500);
    } finally {
      await server.kill();
    }
  });

  it("treats a timeout of 0 as no deadline, even while waiting for the first endpoint", async () => {
    const server = await spawnServer("a");
    const channel = createChannel({ target: `static:///${server.address}` });
    try {
      const client = createInventoryServiceClient(channel, undefined, uncached);
      expect((await client.getItem({ sku: "sku-0001" }, { timeoutMs: 0 })).servedBy).toBe("a");
    } finally {
      await channel.close();
      await server.kill();
    }
  });
});

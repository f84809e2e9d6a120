// End to end: an endpoint whose calls keep failing (or, when asked, that answers far slower than the
// others) is ejected by the channel's passive outlier detection, traffic moves to the others, and
// it returns after its ejection time.
import { Code, ConnectError } from "@connectrpc/connect";
import { createChannel, serve, type OutlierDetectorOptions, type Server } from "@sluice/runtime";
import { createInventoryServiceClient, registerInventoryService } from "../../examples/inventory/gen/inventory/v1/inventory_sluice.js";
import { createInventoryHandlers } from "../../examples/inventory/src/handlers.js";
import { createInventoryStore } from "../../examples/inventory/src/store.js";
import { closeAll, eventually, uncached } from "../support/inventory.js";

/** A server whose GetItem fails with `code` (UNAVAILABLE by default) while `broken.on` is true. */
async function flakyServer(name: string, broken: { on: boolean }, code = Code.Unavailable): Promise<Server> {
  const handlers = createInventoryHandlers(createInventoryStore(), { name });
  return serve({
    port: 0,
    host: "127.0.0.1",
    routes: (router) =>
      registerInventoryService(router, {
        ...handlers,
        getItem(request, context) {
          if (broken.on) throw new ConnectError(`${name} is broken`, code);
          return handlers.getItem(request, context);
        },
      }),
  });
}

/** A round-robin channel over `servers` with `outlierDetection`, and the addresses it ejects. */
function roundRobinChannel(servers: readonly Server[], outlierDetection: OutlierDetectorOptions) {
  const channel = createChannel({ target: `static:///${servers.map((s) => `127.0.0.1:${s.port}`).join(",")}`, balancer: "round-robin", outlierDetection });
  const ejected: string[] = [];
  channel.onEvent((e) => {
    if (e.type === "ejected") ejected.push(e.address);
  });
  return { channel, ejected };
}

/** A server of the example whose every call takes `delayMs`. */
function delayedServer(name: string, delayMs: number): Promise<Server> {
  return serve({ host: "127.0.0.1", routes: (router) => registerInventoryService(router, createInventoryHandlers(createInventoryStore(), { name, delayMs })) });
}

describe("outlier ejection", () => {
  it("ejects an endpoint after consecutive failures and brings it back after the ejection time", async () => {
    const broken = { on: true };
    const servers = await Promise.all([flakyServer("ok-0", { on: false }), flakyServer("ok-1", { on: false }), flakyServer("bad", broken)]);
    const bad = `127.0.0.1:${servers[2]!.port}`;
    const channel = createChannel({
      target: `static:///${servers.map((s) => `127.0.0.1:${s.port}`).join(",")}`,
      balancer: "round-robin",
      outlierDetection: { consecutiveFailures: 3, baseEjectionMs: 2_000 },
    });
    const events: string[] = [];
    channel.onEvent((e) => {
      if (e.type === "ejected" || e.type === "returned") events.push(`${e.type} ${e.address}`);
    });
    try {
      await eventually(() => channel.stats().endpoints.filter((e) => e.state === "ready").length === 3, 5000, "all ready");
      const client = createInventoryServiceClient(channel, { getItem: { retry: null } }, uncached); // counts each failure once, not its retries
      let failures = 0;
      for (let i = 0; i < 30; i++) {
        await client.getItem({ sku: "sku-0001" }).catch(() => failures++);
      }
      // Three failures eject it; the other calls all succeed elsewhere.
      expect(failures).toBe(3);
      expect(events).toEqual([`ejected ${bad}`]);
      const stats = channel.stats().endpoints.find((e) => e.address === bad)!;
      expect(stats.ejected).toBe(true);
      expect(stats.ejections).toBe(1);

      broken.on = false;
      await eventually(() => events.length === 2, 8000, "returned");
      expect(events[1]).toBe(`returned ${bad}`);
      const servedBy = new Set<string>();
      for (let i = 0; i < 9; i++) servedBy.add((await client.getItem({ sku: "sku-0001" })).servedBy);
      expect(servedBy).toEqual(new Set(["ok-0", "ok-1", "bad"]));
    } finally {
      await channel.close();
      await closeAll(servers);
    }
  });

  it("an UNAVAILABLE status the server sends on purpose does not take the endpoint out of rotation", async () => {
    const server = await flakyServer("dependency-down", { on: true }, Code.Unavailable);
    const channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, outlierDetection: false });
    const states: string[] = [];
    try {
      await channel.waitForReady(5000);
      channel.onEvent((e) => {
        if (e.type === "state") states.push(e.state);
      });
      const client = createInventoryServiceClient(channel, undefined, uncached);
      for (let i = 0; i < 20; i++) {
        const error = await client.getItem({ sku: "sku-0001" }).catch((e: unknown) => ConnectError.from(e));
        expect((error as ConnectError).code).toBe(Code.Unavailable);
      }
      await new Promise((r) => setTimeout(r, 100)); // past the second look at the session
      expect(states).toEqual([]);
      expect(channel.stats().endpoints[0]!.state).toBe("ready");
    } finally {
      await channel.close();
      await server.close();
    }
  });

  it("by default neither an INTERNAL a handler threw nor a caller's own short deadline ejects an endpoint", async () => {
    const slow = await delayedServer("slow", 200);
    const servers = [await flakyServer("ok", { on: false }), await flakyServer("throws", { on: true }, Code.Internal), slow];
    const { channel, ejected } = roundRobinChannel(servers, { consecutiveFailures: 3, baseEjectionMs: 60_000 });
    try {
      await channel.waitForReady({ endpoints: "all", timeoutMs: 5000 });
      const client = createInventoryServiceClient(channel, undefined, uncached);
      const codes = new Set<Code>();
      for (let i = 0; i < 20; i++) {
        // The slow server needs 200 ms: a 50 ms deadline is the caller's choice, not the endpoint's fault.
        await client.getItem({ sku: "sku-0001" }, { timeoutMs: 50 }).catch((e: unknown) => codes.add(ConnectError.from(e).code));
      }
      expect(codes).toEqual(new Set([Code.Internal, Code.DeadlineExceeded]));
      expect(ejected).toEqual([]);
      expect(channel.stats().endpoints.every((e) => !e.ejected)).toBe(true);
    } finally {
      await channel.close();
      await closeAll(servers);
    }
  });
  it("with slowEndpoints, ejects an endpoint answering far slower than the others and sends it nothing more; without it, keeps it", async () => {
    const slow = await delayedServer("slow", 300);
    const servers = [slow, await delayedServer("fast-0", 1), await delayedServer("fast-1", 1)];
    const servedAfterWarmUp = async (outlierDetection: OutlierDetectorOptions) => {
      const { channel, ejected } = roundRobinChannel(servers, outlierDetection);
      try {
        await channel.waitForReady({ endpoints: "all", timeoutMs: 5000 });
        const client = createInventoryServiceClient(channel, undefined, uncached);
        // 6 rounds of round robin: every endpoint has its 5 samples, the slow one is judged.
        for (let i = 0; i < 18; i++) await client.getItem({ sku: "sku-0001" });
        const servedBy = new Set<string>();
        for (let i = 0; i < 30; i++) servedBy.add((await client.getItem({ sku: "sku-0001" })).servedBy);
        return { ejected, servedBy };
      } finally {
        await channel.close();
      }
    };
    try {
      const withRule = await servedAfterWarmUp({ slowEndpoints: { samples: 5 } });
      expect(withRule.ejected).toEqual([`127.0.0.1:${slow.port}`]);
      expect(withRule.servedBy).toEqual(new Set(["fast-0", "fast-1"]));
      const without = await servedAfterWarmUp({});
      expect(without.ejected).toEqual([]);
      expect(without.servedBy).toEqual(new Set(["slow", "fast-0", "fast-1"]));
    } finally {
      await closeAll(servers);
    }
  });
});

// grpc.health.v1 served by createHealthService over a real HTTP/2 server, called with the gRPC protocol.

import { Code, ConnectError, createClient, type Client, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  Health,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../../packages/runtime/src/gen/grpc/health/v1/health_pb.js";
import { createHealthService, type HealthService } from "../../packages/runtime/src/server/health-service.js";
import { startServer, waitFor, type TestServer } from "./server.js";

describe("health service", () => {
  let health: HealthService;
  let server: TestServer;
  let transport: Transport;
  let client: Client<typeof Health>;

  beforeEach(async () => {
    health = createHealthService();
    server = await startServer((router) => health.register(router));
    transport = createGrpcTransport({ baseUrl: server.baseUrl });
    client = createClient(Health, transport);
  });

  afterEach(async () => {
    await server.stop();
  });

  it("answers Check for the server and for set services, NOT_FOUND for unknown ones", async () => {
    expect((await client.check({ service: "" })).status).toBe(ServingStatus.SERVING);
    health.setStatus("inventory.v1.InventoryService", "NOT_SERVING");
    expect((await client.check({ service: "inventory.v1.InventoryService" })).status).toBe(ServingStatus.NOT_SERVING);
    expect(health.getStatus("inventory.v1.InventoryService")).toBe("NOT_SERVING");
    const err = await client.check({ service: "nope.v1.Nope" }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(err?.code).toBe(Code.NotFound);
    expect(err?.rawMessage).toMatch(/unknown service "nope.v1.Nope"/);
  });

  it("Watch sends the current status at once, then each change, and a cancel frees the listener", async () => {
    const abort = new AbortController();
    const seen: ServingStatus[] = [];
    const done = (async () => {
      for await (const res of client.watch({ service: "" }, { signal: abort.signal })) {
        seen.push(res.status);
      }
    })().catch((e: unknown) => ConnectError.from(e));
    await waitFor("the first status", () => seen.length === 1);
    expect(seen).toEqual([ServingStatus.SERVING]);
    expect(health.watcherCount()).toBe(1);
    health.setStatus("", "SERVING"); // no change: nothing sent
    health.setStatus("", "NOT_SERVING");
    await waitFor("NOT_SERVING", () => seen.length === 2);
    health.setStatus("", "SERVING");
    await waitFor("SERVING again", () => seen.length === 3);
    expect(seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING, ServingStatus.SERVING]);
    abort.abort();
    const result = await done;
    expect(result).toBeInstanceOf(ConnectError);
    // Canceled; under jest the abort's DOMException comes from another realm and shows as an internal AbortError.
    expect((result as ConnectError).code === Code.Canceled || /AbortError/.test((result as ConnectError).message)).toBe(true);
    await waitFor("the server to free the watcher", () => health.watcherCount() === 0);
  });

  it("Watch of an unknown service sends SERVICE_UNKNOWN and keeps watching", async () => {
    const abort = new AbortController();
    const seen: ServingStatus[] = [];
    const done = (async () => {
      for await (const res of client.watch({ service: "later.v1.Later" }, { signal: abort.signal })) {
        seen.push(res.status);
      }
    })().catch(() => undefined);
    await waitFor("SERVICE_UNKNOWN", () => seen.length === 1);
    expect(seen).toEqual([ServingStatus.SERVICE_UNKNOWN]);
    health.setStatus("later.v1.Later", "SERVING");
    await waitFor("SERVING", () => seen.length === 2);
    health.clearStatus("later.v1.Later");
    await waitFor("SERVICE_UNKNOWN again", () => seen.length === 3);
    expect(seen).toEqual([ServingStatus.SERVICE_UNKNOWN, ServingStatus.SERVING, ServingStatus.SERVICE_UNKNOWN]);
    abort.abort();
    await done;
    await waitFor("the server to free the watcher", () => health.watcherCount() === 0);
  });

  it("shutdown() sets every service NOT_SERVING and ends Watch streams cleanly", async () => {
    health.setStatus("a.v1.A", "SERVING");
    const streams = ["", "a.v1.A"].map((service) => {
      const seen: ServingStatus[] = [];
      const done = (async () => {
        for await (const res of client.watch({ service })) seen.push(res.status);
        return "ended";
      })();
      return { seen, done };
    });
    await waitFor("both first statuses", () => streams.every((s) => s.seen.length === 1));
    expect(health.watcherCount()).toBe(2);
    health.shutdown();
    for (const s of streams) {
      await expect(s.done).resolves.toBe("ended");
      expect(s.seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
    }
    expect(health.watcherCount()).toBe(0);
    expect((await client.check({ service: "a.v1.A" })).status).toBe(ServingStatus.NOT_SERVING);
    health.setStatus("a.v1.A", "SERVING"); // ignored after shutdown
    expect(health.getStatus("a.v1.A")).toBe("NOT_SERVING");
  });

  it("rejects statuses it does not know", () => {
    expect(() => health.setStatus("x", "SERVICE_UNKNOWN" as "SERVING")).toThrow(/not one of UNKNOWN, SERVING, NOT_SERVING/);
  });
});

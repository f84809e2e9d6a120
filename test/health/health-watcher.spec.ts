// watchHealth against a real server: status changes, reconnect after a restart, UNIMPLEMENTED, close().

import { Code, type ConnectError } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { watchHealth, type HealthWatch } from "../../packages/runtime/src/channel/health-watcher.js";
import { createHealthService, type HealthService } from "../../packages/runtime/src/server/health-service.js";
import { startServer, waitFor, type TestServer } from "./server.js";

const fastBackoff = { initialMs: 20, multiplier: 2, jitter: 0, maxMs: 200 };

describe("watchHealth", () => {
  const servers: TestServer[] = [];
  const watches: HealthWatch[] = [];

  afterEach(async () => {
    for (const w of watches.splice(0)) w.close();
    for (const s of servers.splice(0)) await s.stop();
  });

  async function serverWith(health: HealthService | undefined): Promise<TestServer> {
    const s = await startServer((router) => health?.register(router));
    servers.push(s);
    return s;
  }

  it("reports SERVING, then NOT_SERVING, then SERVING again", async () => {
    const health = createHealthService();
    const server = await serverWith(health);
    const seen: boolean[] = [];
    watches.push(watchHealth(createGrpcTransport({ baseUrl: server.baseUrl }), "", (s) => seen.push(s), { backoff: fastBackoff }));
    await waitFor("serving", () => seen.length === 1);
    health.setStatus("", "NOT_SERVING");
    await waitFor("not serving", () => seen.length === 2);
    health.setStatus("", "SERVING");
    await waitFor("serving again", () => seen.length === 3);
    expect(seen).toEqual([true, false, true]);
  });

  it("treats an unknown service as not serving until it is set", async () => {
    const health = createHealthService();
    const server = await serverWith(health);
    const seen: boolean[] = [];
    watches.push(watchHealth(createGrpcTransport({ baseUrl: server.baseUrl }), "late.v1.Late", (s) => seen.push(s)));
    await waitFor("not serving", () => seen.length === 1);
    health.setStatus("late.v1.Late", "SERVING");
    await waitFor("serving", () => seen.length === 2);
    expect(seen).toEqual([false, true]);
  });

  it("reconnects with backoff after the server restarts", async () => {
    let health = createHealthService();
    const server = await startServer((router) => health.register(router));
    servers.push(server);
    const seen: boolean[] = [];
    const errors: ConnectError[] = [];
    watches.push(
      watchHealth(createGrpcTransport({ baseUrl: server.baseUrl }), "", (s) => seen.push(s), {
        backoff: fastBackoff,
        onError: (e) => errors.push(e),
      }),
    );
    await waitFor("serving", () => seen.length === 1);
    await server.stop();
    await waitFor("not serving after the server died", () => seen.length === 2);
    await waitFor("a few failed reconnects", () => errors.length >= 3);
    // Reconnects fail while nothing listens (UNAVAILABLE; under jest, cross-realm errors surface as INTERNAL).
    expect(errors.slice(1).every((e) => e.code === Code.Unavailable || /ECONNREFUSED/.test(e.rawMessage))).toBe(true);
    health = createHealthService();
    await server.restart();
    await waitFor("serving after the restart", () => seen.length === 3, 3000);
    expect(seen).toEqual([true, false, true]);
    expect(health.watcherCount()).toBe(1);
  });

  it("keeps watching across a health shutdown and reports it as not serving", async () => {
    const health = createHealthService();
    const server = await serverWith(health);
    const seen: boolean[] = [];
    const errors: ConnectError[] = [];
    watches.push(
      watchHealth(createGrpcTransport({ baseUrl: server.baseUrl }), "", (s) => seen.push(s), {
        backoff: fastBackoff,
        onError: (e) => errors.push(e),
      }),
    );
    await waitFor("serving", () => seen.length === 1);
    health.shutdown();
    await waitFor("ended stream reported", () => errors.length >= 1);
    expect(seen).toEqual([true, false]);
    expect(errors[0].code).toBe(Code.Unavailable);
    expect(errors[0].rawMessage).toMatch(/ended by the server/);
  });

  it("takes a server without a health service as serving and reports UNIMPLEMENTED once", async () => {
    const server = await serverWith(undefined);
    const seen: boolean[] = [];
    const errors: ConnectError[] = [];
    watches.push(
      watchHealth(createGrpcTransport({ baseUrl: server.baseUrl }), "", (s) => seen.push(s), {
        backoff: fastBackoff,
        onError: (e) => errors.push(e),
      }),
    );
    await waitFor("serving", () => seen.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([true]);
    expect(errors.map((e) => e.code)).toEqual([Code.Unimplemented]);
  });

  it("close() cancels the stream on the server and stops reporting", async () => {
    const health = createHealthService();
    const server = await serverWith(health);
    const seen: boolean[] = [];
    const w = watchHealth(createGrpcTransport({ baseUrl: server.baseUrl }), "", (s) => seen.push(s));
    await waitFor("serving", () => seen.length === 1);
    expect(health.watcherCount()).toBe(1);
    w.close();
    await waitFor("the server to free the watcher", () => health.watcherCount() === 0);
    health.setStatus("", "NOT_SERVING");
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([true]);
  });

  it("validates its backoff", () => {
    const t = createGrpcTransport({ baseUrl: "http://127.0.0.1:1" });
    expect(() => watchHealth(t, "", () => {}, { backoff: { jitter: 1 } })).toThrow(/^backoff\.jitter: must be/);
    expect(() => watchHealth(t, "", () => {}, { backoff: { initialMs: 10, maxMs: 5 } })).toThrow(/backoff.maxMs/);
  });
});

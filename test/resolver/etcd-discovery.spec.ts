// Discovery on a real etcd (Debian's etcd-server on loopback ports): registerWithEtcd() and the
// etcd resolver, including lease expiry, etcd outages and Go-written values. Skipped (with a
// message) when etcd is not installed, except under CI where that fails.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { Etcd3 } from "etcd3";
import { createChannel } from "@sluice/runtime";
import { createInventoryServiceClient } from "../../examples/inventory/gen/inventory/v1/inventory_sluice.js";
import { closeAll, eventually, startServers, uncached } from "../support/inventory.js";
import type { Resolver } from "../../packages/runtime/src/channel/resolver.js";
import { createEtcdResolver } from "../../packages/runtime/src/channel/resolvers/etcd-resolver.js";
import { createResolver } from "../../packages/runtime/src/channel/resolvers/registry.js";
import { registerWithEtcd, type EtcdRegistration } from "../../packages/runtime/src/server/etcd-registration.js";
import { findEtcd, freeTcpPort, startEtcd, type EtcdServer } from "./etcd-server.js";
import { killAndWait, watchResolver as watch } from "./resolver-watch.js";

const bin = findEtcd();
if (bin === undefined && !process.env.CI) {
  // eslint-disable-next-line no-console
  console.warn("test/resolver/etcd-discovery.spec.ts skipped: etcd is not installed (apt-get install -y etcd-server)");
}
const describeEtcd = bin !== undefined || process.env.CI ? describe : describe.skip;

const registrationModule = path.resolve(__dirname, "../../packages/runtime/dist/server/etcd-registration.js");

const same = (a: readonly string[], b: readonly string[]): boolean => JSON.stringify(a) === JSON.stringify(b);

describeEtcd("etcd discovery against a real etcd", () => {
  let etcd: EtcdServer;
  let admin: Etcd3;
  const resolvers: Resolver[] = [];
  const registrations: EtcdRegistration[] = [];
  let serviceCounter = 0;
  const track = (r: Resolver): Resolver => (resolvers.push(r), r);
  const newService = (): string => `svc${++serviceCounter}-${process.pid}`;
  const register = async (service: string, port: number, extra: { weight?: number; metadata?: Record<string, string>; ttlSeconds?: number } = {}): Promise<EtcdRegistration> => {
    const r = await registerWithEtcd({ host: "127.0.0.1", port }, { endpoints: [etcd.endpoint], service, ...extra });
    registrations.push(r);
    return r;
  };

  beforeAll(async () => {
    if (bin === undefined) {
      throw new Error("etcd is not installed but CI is set: install it with apt-get install -y etcd-server");
    }
    etcd = await startEtcd(bin);
    admin = new Etcd3({ hosts: [etcd.endpoint] });
  });

  afterEach(async () => {
    for (const r of resolvers.splice(0)) r.close();
    await Promise.all(registrations.splice(0).map((r) => r.close()));
  });

  afterAll(async () => {
    admin?.close();
    await etcd?.stop();
  });

  it("discovers registered servers with weight and metadata, in etcd's naming layout", async () => {
    const service = newService();
    await register(service, 9001, { weight: 3, metadata: { zone: "a" } });
    await register(service, 9002);
    expect(await admin.get(`${service}/127.0.0.1:9001`).string()).toBe(
      JSON.stringify({ Op: 0, Addr: "127.0.0.1:9001", Metadata: { zone: "a", weight: 3 } }),
    );
    const w = watch(track(createResolver(`etcd://${etcd.endpoint}/${service}`)));
    await w.until("both servers", () => same(w.latest(), ["127.0.0.1:9001", "127.0.0.1:9002"]));
    expect(w.lists.at(-1)).toEqual([
      { address: "127.0.0.1:9001", weight: 3, metadata: { zone: "a", weight: "3" } },
      { address: "127.0.0.1:9002" },
    ]);
  });

  it("pushes a registration, an update and a deregistration within a second each", async () => {
    const service = newService();
    const w = watch(track(createEtcdResolver({ service, endpoints: [etcd.endpoint] })));
    await w.until("the first (empty) list", () => w.lists.length === 1);
    expect(w.lists[0]).toEqual([]);
    const a = await register(service, 9011);
    expect(await w.until("the new server", () => same(w.latest(), ["127.0.0.1:9011"]))).toBeLessThan(1000);
    await a.update({ weight: 0.5, metadata: { draining: "yes" } });
    expect(await w.until("the new weight", () => w.lists.at(-1)?.[0]?.weight === 0.5)).toBeLessThan(1000);
    expect(w.lists.at(-1)).toEqual([{ address: "127.0.0.1:9011", weight: 0.5, metadata: { draining: "yes", weight: "0.5" } }]);
    await a.close();
    expect(await w.until("the server's removal", () => same(w.latest(), []))).toBeLessThan(1000);
    await a.close();
    await expect(a.update({ weight: 1 })).rejects.toThrow(/registration of ".*\/127.0.0.1:9011" is closed/);
    expect(await admin.get(a.key).string()).toBeNull();
  });

  it("does not pick up foo2 when watching foo", async () => {
    const service = newService();
    await register(service, 9021);
    await register(`${service}2`, 9022);
    await register(`${service}/nested`, 9023);
    const w = watch(track(createEtcdResolver({ service, endpoints: [etcd.endpoint] })));
    await w.until("the list", () => w.lists.length > 0);
    // The nested service's keys sit under `<service>/` too; they are endpoints of this prefix, as in Go.
    expect(w.latest()).toEqual(["127.0.0.1:9021", "127.0.0.1:9023"]);
    expect(w.latest()).not.toContain("127.0.0.1:9022");
  });

  it("parses values written by Go's endpoints manager and skips invalid ones", async () => {
    const service = newService();
    await admin.put(`${service}/go-1`).value('{"Op":0,"Addr":"10.0.0.9:50051","Metadata":{"weight":2,"version":"v1.4"}}');
    await admin.put(`${service}/go-2`).value('{"Op":0,"Addr":"10.0.0.10:50051","Metadata":null}');
    await admin.put(`${service}/bad-json`).value("not json");
    await admin.put(`${service}/no-port`).value('{"Op":0,"Addr":"10.0.0.11"}');
    const w = watch(track(createEtcdResolver({ service, endpoints: [etcd.endpoint] })));
    await w.until("the Go endpoints", () => w.lists.length > 0);
    expect(w.lists.at(-1)).toEqual([
      { address: "10.0.0.10:50051" },
      { address: "10.0.0.9:50051", weight: 2, metadata: { weight: "2", version: "v1.4" } },
    ]);
    await admin.delete().key(`${service}/go-1`);
    await w.until("go-1's removal", () => same(w.latest(), ["10.0.0.10:50051"]));
  });

  it("drops a killed server once its lease expires", async () => {
    if (!existsSync(registrationModule)) throw new Error(`${registrationModule} is missing: run npm run build first`);
    const service = newService();
    const w = watch(track(createEtcdResolver({ service, endpoints: [etcd.endpoint] })));
    // A separate process registers with a 2 s lease, then is killed without deregistering.
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { registerWithEtcd } = await import(${JSON.stringify(registrationModule)});
         await registerWithEtcd({ host: "127.0.0.1", port: 9031 }, { endpoints: [${JSON.stringify(etcd.endpoint)}], service: ${JSON.stringify(service)}, ttlSeconds: 2 });
         process.send("registered");
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ["ignore", "inherit", "inherit", "ipc"] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.once("message", () => resolve());
        child.once("exit", (code) => reject(new Error(`the registering process exited with ${String(code)}`)));
      });
      await w.until("the child's registration", () => same(w.latest(), ["127.0.0.1:9031"]));
    } finally {
      await killAndWait(child);
    }
    const killedAt = Date.now();
    await w.until("the lease to expire", () => same(w.latest(), []), 8000);
    // etcd may round a 2 s TTL up to its minimum; expiry takes the TTL, not more than a few seconds.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(1000);
  });

  it("re-registers when its lease is lost", async () => {
    const service = newService();
    const r = await register(service, 9041, { ttlSeconds: 2 });
    const w = watch(track(createEtcdResolver({ service, endpoints: [etcd.endpoint] })));
    await w.until("the registration", () => same(w.latest(), ["127.0.0.1:9041"]));
    const { leases } = await admin.leaseClient.leaseLeases();
    await Promise.all(leases.map((l) => admin.leaseClient.leaseRevoke({ ID: l.ID })));
    await w.until("the key to be written again", () => r.registrations === 2 && same(w.latest(), ["127.0.0.1:9041"]), 8000);
    expect(r.state).toBe("registered");
  });

  it("keeps the last list while etcd is down, and sees changes again after it restarts", async () => {
    const service = newService();
    await register(service, 9051, { ttlSeconds: 30 });
    const w = watch(track(createEtcdResolver({ service, endpoints: [etcd.endpoint] })));
    await w.until("the registration", () => same(w.latest(), ["127.0.0.1:9051"]));
    const listsBefore = w.lists.length;
    const errorsBefore = w.errors.length;
    await etcd.kill();
    await w.until("an error report", () => w.errors.length > errorsBefore);
    expect(w.errors.at(-1)?.message).toMatch(/keeping the last endpoint list/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.lists.length).toBe(listsBefore);
    await etcd.restart();
    const port = await freeTcpPort();
    await register(service, port, { ttlSeconds: 30 });
    const ms = await w.until("the new server after the restart", () => w.latest().includes(`127.0.0.1:${port}`), 5000);
    expect(ms).toBeLessThan(2000);
    expect(w.latest()).toContain("127.0.0.1:9051");
  });

  it("feeds a channel: calls reach the registered servers, and stop reaching a deregistered one", async () => {
    const service = newService();
    const servers = await startServers(2);
    const channel = createChannel({ target: `etcd://${etcd.endpoint}/${service}` });
    try {
      registrations.push(...(await Promise.all(servers.map((s) => registerWithEtcd(s, { endpoints: [etcd.endpoint], service })))));
      const first = registrations[0];
      await eventually(() => channel.stats().endpoints.filter((e) => e.state === "ready").length === 2, 5000, "both ready");
      const client = createInventoryServiceClient(channel, undefined, uncached);
      const servedBy = new Set<string>();
      for (let i = 0; i < 20; i++) servedBy.add((await client.getItem({ sku: "sku-0001" })).servedBy);
      expect([...servedBy].sort()).toEqual(["server-0", "server-1"]);
      await first.close();
      await eventually(() => channel.stats().endpoints.length === 1, 1000, "server-0 removed within a second");
      for (let i = 0; i < 20; i++) expect((await client.getItem({ sku: "sku-0001" })).servedBy).toBe("server-1");
    } finally {
      await channel.close();
      await closeAll(servers);
    }
  });
});

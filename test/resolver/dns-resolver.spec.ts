// The dns resolver against a real DNS server: a private dnsmasq on 127.0.0.1 answering for svc.test.
// Skipped (with a message) when dnsmasq is not installed, except under CI where that fails.

import type { Endpoint, Resolver } from "../../packages/runtime/src/channel/resolver.js";
import { createDnsResolver } from "../../packages/runtime/src/channel/resolvers/dns-resolver.js";
import { createResolver } from "../../packages/runtime/src/channel/resolvers/registry.js";
import { createSeededRandom } from "../../packages/runtime/src/channel/pickers/testing.js";
import { findDnsmasq, startDnsmasq, type Dnsmasq, type SrvHost } from "./dnsmasq.js";
import { watchResolver as watch } from "./resolver-watch.js";

const bin = findDnsmasq();
if (bin === undefined && !process.env.CI) {
  // eslint-disable-next-line no-console
  console.warn("test/resolver/dns-resolver.spec.ts skipped: dnsmasq is not installed (apt-get install -y dnsmasq)");
}
const describeDns = bin !== undefined || process.env.CI ? describe : describe.skip;

const srvRecords: SrvHost[] = [
  { name: "_grpc._tcp.svc.test", target: "a.svc.test", port: 9001, priority: 10, weight: 30 },
  { name: "_grpc._tcp.svc.test", target: "b.svc.test", port: 9002, priority: 10, weight: 10 },
  // A backup with an address: never used while priority 10 resolves.
  { name: "_grpc._tcp.svc.test", target: "c.svc.test", port: 9009, priority: 20, weight: 90 },
];

/** The hosts file after the rewrite test; tests that need it write it themselves. */
const rewrittenHosts: Array<[string, string]> = [
  ["10.1.0.3", "a.svc.test"],
  ["10.2.0.1", "b.svc.test"],
  ["10.3.0.1", "rl.svc.test"],
  ["10.4.0.1", "c.svc.test"],
];

const addresses = (list: Endpoint[] | undefined): string[] => (list ?? []).map((e) => e.address);
/** The addresses in sorted order, for tests where the (random) order is not the point. */
const sortedAddresses = (list: Endpoint[] | undefined): string[] => addresses(list).sort();

describeDns("dns resolver against dnsmasq", () => {
  let dns: Dnsmasq;
  const open: Resolver[] = [];
  const track = (r: Resolver): Resolver => (open.push(r), r);

  beforeAll(async () => {
    if (bin === undefined) {
      throw new Error("dnsmasq is not installed but CI is set: install it with apt-get install -y dnsmasq");
    }
    dns = await startDnsmasq(bin, srvRecords);
    await dns.writeHosts([
      ["10.1.0.1", "a.svc.test"],
      ["10.1.0.2", "a.svc.test"],
      ["fd00::1", "a.svc.test"],
      ["10.2.0.1", "b.svc.test"],
      ["10.3.0.1", "rl.svc.test"],
      ["10.4.0.1", "c.svc.test"],
    ]);
  });

  afterEach(() => {
    for (const r of open.splice(0)) r.close();
  });

  afterAll(async () => {
    await dns?.stop();
  });

  it("resolves A and AAAA records", async () => {
    const w = watch(track(createResolver(`dns://${dns.server}/a.svc.test:8080`)));
    await w.until("the first list", () => w.lists.length > 0);
    expect(sortedAddresses(w.lists[0])).toEqual(["10.1.0.1:8080", "10.1.0.2:8080", "[fd00::1]:8080"]);
    expect(w.errors).toEqual([]);
  });

  it("gives each resolver (each channel) its own order, so pick-first clients start on every address", async () => {
    const random = createSeededRandom(5);
    const watches = Array.from({ length: 24 }, () => watch(track(createResolver(`dns://${dns.server}/a.svc.test:8080`, { random }))));
    for (const w of watches) await w.until("the first list", () => w.lists.length > 0);
    const firsts = new Set(watches.map((w) => w.lists[0]?.[0]?.address));
    expect([...firsts].sort()).toEqual(["10.1.0.1:8080", "10.1.0.2:8080", "[fd00::1]:8080"]);
    expect(watches.every((w) => sortedAddresses(w.lists[0]).length === 3)).toBe(true);
  });

  it("moves to the new list after the hosts file is rewritten", async () => {
    const w = watch(track(createDnsResolver({ name: "a.svc.test", port: 80, dnsServer: dns.server, refreshIntervalMs: 200 })));
    await w.until("the first list", () => w.lists.length > 0);
    expect(sortedAddresses(w.lists[0])).toEqual(["10.1.0.1:80", "10.1.0.2:80", "[fd00::1]:80"]);
    await dns.writeHosts(rewrittenHosts);
    await w.until("the rewritten list", () => w.lists.length >= 2);
    expect(addresses(w.lists[1])).toEqual(["10.1.0.3:80"]);
    // Unchanged answers are not pushed again.
    await new Promise((r) => setTimeout(r, 500));
    expect(w.lists).toHaveLength(2);
  });

  it("resolves the lowest-priority SRV targets to host:port with the records' weights, heavier first on equal draws", async () => {
    await dns.writeHosts(rewrittenHosts);
    const w = watch(track(createResolver(`dns://${dns.server}/_grpc._tcp.svc.test`, { random: () => 0.5 })));
    await w.until("the SRV list", () => w.lists.length > 0);
    expect(w.lists[0]).toEqual([
      { address: "10.1.0.3:9001", weight: 30, metadata: { "srv.target": "a.svc.test", "srv.priority": "10" } },
      { address: "10.2.0.1:9002", weight: 10, metadata: { "srv.target": "b.svc.test", "srv.priority": "10" } },
    ]);
  });

  it("rate-limits refresh()", async () => {
    const before = dns.queryCount("A", "rl.svc.test");
    const r = track(
      createDnsResolver({ name: "rl.svc.test", port: 80, dnsServer: dns.server, refreshIntervalMs: 60_000, minRefreshIntervalMs: 400 }),
    );
    const w = watch(r);
    await w.until("the first list", () => w.lists.length > 0);
    const started = Date.now();
    for (let i = 0; i < 40 && Date.now() - started < 1000; i++) {
      r.refresh();
      await new Promise((res) => setTimeout(res, 25));
    }
    const elapsed = Date.now() - started;
    await new Promise((res) => setTimeout(res, 100));
    const queries = dns.queryCount("A", "rl.svc.test") - before;
    // One at start, then at most one per 400 ms while refresh() was called every 25 ms.
    expect(queries).toBeGreaterThanOrEqual(2);
    expect(queries).toBeLessThanOrEqual(2 + Math.ceil(elapsed / 400));
  });

  it("picks up changed SRV records after a dnsmasq restart", async () => {
    const w = watch(track(createDnsResolver({ name: "_grpc._tcp.svc.test", srv: true, dnsServer: dns.server, refreshIntervalMs: 200 })));
    await w.until("the SRV list", () => w.lists.length > 0);
    await dns.restart([{ name: "_grpc._tcp.svc.test", target: "b.svc.test", port: 9003, priority: 1, weight: 7 }]);
    await w.until("the new SRV list", () => w.lists.length >= 2);
    expect(w.lists[w.lists.length - 1]).toEqual([
      { address: "10.2.0.1:9003", weight: 7, metadata: { "srv.target": "b.svc.test", "srv.priority": "1" } },
    ]);
  });

  it("falls back to the next SRV priority when no target of the lowest one has an address", async () => {
    await dns.writeHosts(rewrittenHosts);
    await dns.restart([
      { name: "_grpc._tcp.svc.test", target: "gone.svc.test", port: 9001, priority: 1, weight: 10 },
      { name: "_grpc._tcp.svc.test", target: "b.svc.test", port: 9002, priority: 2, weight: 10 },
      { name: "_grpc._tcp.svc.test", target: "c.svc.test", port: 9009, priority: 3, weight: 10 },
    ]);
    try {
      const w = watch(track(createDnsResolver({ name: "_grpc._tcp.svc.test", srv: true, dnsServer: dns.server })));
      await w.until("the SRV list", () => w.lists.length > 0);
      expect(w.lists[0]).toEqual([{ address: "10.2.0.1:9002", weight: 10, metadata: { "srv.target": "b.svc.test", "srv.priority": "2" } }]);
    } finally {
      await dns.restart(srvRecords);
    }
  });

  it("keeps the last good list and reports errors when the DNS server dies, and for NXDOMAIN", async () => {
    await dns.writeHosts(rewrittenHosts);
    const w = watch(track(createDnsResolver({ name: "a.svc.test", port: 80, dnsServer: dns.server, refreshIntervalMs: 100, retryInitialMs: 100, queryTimeoutMs: 300 })));
    await w.until("the first list", () => w.lists.length > 0);
    const nx = watch(track(createDnsResolver({ name: "nothing.svc.test", port: 80, dnsServer: dns.server })));
    await nx.until("the NXDOMAIN error", () => nx.errors.length > 0);
    expect(nx.errors[0].message).toMatch(/nothing\.svc\.test failed \(ENOTFOUND\); no endpoints yet/);
    expect(nx.lists).toEqual([]);

    await dns.kill();
    await w.until("two errors", () => w.errors.length >= 2);
    expect(w.errors[0].message).toMatch(/a\.svc\.test failed \(\w+\); keeping the last good endpoint list/);
    expect(w.lists).toHaveLength(1);
    expect(addresses(w.lists[0])).toEqual(["10.1.0.3:80"]);
    await dns.restart(srvRecords);
  });

  it("close() leaves no timer pending and makes no further queries", async () => {
    const pending = new Set<ReturnType<typeof setTimeout>>();
    const timers = {
      setTimeout(callback: () => void, ms: number): unknown {
        const handle: ReturnType<typeof setTimeout> = setTimeout(() => {
          pending.delete(handle);
          callback();
        }, ms);
        pending.add(handle);
        return handle;
      },
      clearTimeout(handle: unknown): void {
        pending.delete(handle as ReturnType<typeof setTimeout>);
        clearTimeout(handle as ReturnType<typeof setTimeout>);
      },
    };
    const r = createDnsResolver({ name: "a.svc.test", port: 80, dnsServer: dns.server, refreshIntervalMs: 50, timers });
    const w = watch(r);
    await w.until("the first list", () => w.lists.length > 0);
    r.refresh();
    r.close();
    expect(pending.size).toBe(0);
    const n = w.lists.length + w.errors.length;
    await new Promise((res) => setTimeout(res, 300));
    expect(w.lists.length + w.errors.length).toBe(n);
    expect(pending.size).toBe(0);
  });
});

import type { Endpoint } from "../resolver.js";
import type { Timers } from "../timers.js";
import type { DnsQuery, SrvRecord } from "./dns-query.js";
import { createDnsResolver } from "./dns-resolver.js";
import { createResolver, registerResolver, registeredSchemes } from "./registry.js";
import { createStaticResolver } from "./static-resolver.js";
import { createSeededRandom, scriptedRandom } from "../pickers/testing.js";

/** A manual clock with timers that fire only in advance(). */
function fakeClock(): Timers & { now(): number; advance(ms: number): Promise<void>; pending(): number } {
  let t = 0;
  let nextId = 1;
  const due = new Map<number, { at: number; cb: () => void }>();
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return {
    now: () => t,
    setTimeout(cb, ms) {
      const id = nextId++;
      due.set(id, { at: t + ms, cb });
      return id;
    },
    clearTimeout(handle) {
      due.delete(handle as number);
    },
    pending: () => due.size,
    async advance(ms) {
      const end = t + ms;
      await flush();
      for (let guard = 0; guard < 1000; guard++) {
        const next = [...due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (next === undefined || next[1].at > end) break;
        due.delete(next[0]);
        t = next[1].at;
        next[1].cb();
        await flush();
      }
      t = end;
      await flush();
    },
  };
}

function errno(code: string): Error {
  return Object.assign(new Error(code), { code });
}

/** A DNS whose answers the test sets; counts queries. */
function scriptedDns(): DnsQuery & { answer: string[] | Error; srvAnswer: SrvRecord[] | Error; queries: number } {
  const dns = {
    answer: ["10.0.0.2", "10.0.0.1"] as string[] | Error,
    srvAnswer: [] as SrvRecord[] | Error,
    queries: 0,
    async addresses(host: string): Promise<string[]> {
      dns.queries++;
      if (dns.answer instanceof Error) throw dns.answer;
      return host.startsWith("b.") ? ["10.0.1.1"] : dns.answer;
    },
    async srv(): Promise<SrvRecord[]> {
      dns.queries++;
      if (dns.srvAnswer instanceof Error) throw dns.srvAnswer;
      return dns.srvAnswer;
    },
    cancel() {},
  };
  return dns;
}

function recorder(): { lists: Endpoint[][]; errors: Error[]; onEndpoints(e: readonly Endpoint[]): void; onError(e: Error): void } {
  const r = {
    lists: [] as Endpoint[][],
    errors: [] as Error[],
    onEndpoints: (e: readonly Endpoint[]) => void r.lists.push([...e]),
    onError: (e: Error) => void r.errors.push(e),
  };
  return r;
}

describe("createDnsResolver (scripted DNS)", () => {
  it("pushes the list in its own random order, re-resolves periodically and pushes only changes", async () => {
    const clock = fakeClock();
    const dns = scriptedDns();
    const rec = recorder();
    // Draws for 10.0.0.2 then 10.0.0.1 (the DNS answer's order): the higher draw goes first.
    const random = scriptedRandom(0.3, 0.6, 0.9);
    const r = createDnsResolver({ name: "svc.test", port: 80, refreshIntervalMs: 10_000, now: clock.now, timers: clock, query: dns, random });
    r.start(rec);
    await clock.advance(0);
    expect(rec.lists).toEqual([[{ address: "10.0.0.1:80" }, { address: "10.0.0.2:80" }]]);
    dns.answer = ["10.0.0.1", "10.0.0.2"];
    await clock.advance(10_000);
    expect(dns.queries).toBe(2);
    expect(rec.lists).toHaveLength(1); // same set in another DNS order: same list, not pushed again
    dns.answer = ["10.0.0.3"];
    await clock.advance(10_000);
    expect(rec.lists[1]).toEqual([{ address: "10.0.0.3:80" }]);
    r.close();
    expect(clock.pending()).toBe(0);
  });

  it("keeps the last good list on failure and on NXDOMAIN, reports errors and retries with doubling delays", async () => {
    const clock = fakeClock();
    const dns = scriptedDns();
    const rec = recorder();
    const r = createDnsResolver({ name: "svc.test", port: 80, refreshIntervalMs: 30_000, retryInitialMs: 1000, now: clock.now, timers: clock, query: dns });
    r.start(rec);
    await clock.advance(0);
    dns.answer = errno("ECONNREFUSED");
    await clock.advance(30_000);
    expect(rec.errors).toHaveLength(1);
    expect(rec.errors[0].message).toMatch(/svc.test failed \(ECONNREFUSED\); keeping the last good endpoint list/);
    await clock.advance(1000);
    expect(rec.errors).toHaveLength(2);
    await clock.advance(1999);
    expect(rec.errors).toHaveLength(2);
    await clock.advance(1);
    expect(rec.errors).toHaveLength(3);
    dns.answer = errno("ENOTFOUND");
    await clock.advance(4000);
    expect(rec.errors).toHaveLength(4);
    expect(rec.lists).toHaveLength(1);
    dns.answer = ["10.0.0.1", "10.0.0.2"];
    await clock.advance(8000);
    expect(rec.lists).toHaveLength(1); // same list as the last good one: nothing pushed
    expect(dns.queries).toBe(6);
    r.close();
  });

  it("rate-limits refresh() and coalesces calls", async () => {
    const clock = fakeClock();
    const dns = scriptedDns();
    const r = createDnsResolver({ name: "svc.test", port: 80, minRefreshIntervalMs: 1000, now: clock.now, timers: clock, query: dns });
    r.start(recorder());
    await clock.advance(0);
    expect(dns.queries).toBe(1);
    for (let i = 0; i < 5; i++) r.refresh();
    await clock.advance(999);
    expect(dns.queries).toBe(1);
    await clock.advance(1);
    expect(dns.queries).toBe(2);
    await clock.advance(5000);
    r.refresh();
    await clock.advance(0);
    expect(dns.queries).toBe(3);
    r.close();
    r.refresh();
    await clock.advance(60_000);
    expect(dns.queries).toBe(3);
  });

  it("shuffles per resolver: channels start on different endpoints, each keeping its order across re-resolutions", async () => {
    const clock = fakeClock();
    const dns = scriptedDns();
    dns.answer = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"];
    const seeded = createSeededRandom(3);
    const recs = Array.from({ length: 40 }, () => recorder());
    const resolvers = recs.map((rec) => {
      const r = createDnsResolver({ name: "svc.test", port: 80, refreshIntervalMs: 1000, now: clock.now, timers: clock, query: dns, random: seeded });
      r.start(rec);
      return r;
    });
    await clock.advance(0);
    const firsts = new Set(recs.map((rec) => rec.lists[0]?.[0]?.address));
    expect([...firsts].sort()).toEqual(["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80"]);
    dns.answer = ["10.0.0.4", "10.0.0.3", "10.0.0.2", "10.0.0.1"];
    await clock.advance(5000);
    expect(recs.every((rec) => rec.lists.length === 1)).toBe(true);
    for (const r of resolvers) r.close();
  });

  it("turns SRV records into weighted endpoints with metadata, ordered by weight", async () => {
    const clock = fakeClock();
    const dns = scriptedDns();
    dns.answer = ["10.0.0.1"];
    dns.srvAnswer = [
      { name: "a.svc.test", port: 9001, priority: 10, weight: 5 },
      { name: "b.svc.test", port: 9002, priority: 10, weight: 0 },
    ];
    const rec = recorder();
    // Equal draws: the weight decides (0.5^(1/5) > 0.5^(1/0.01)).
    const r = createDnsResolver({ name: "_grpc._tcp.svc.test", srv: true, now: clock.now, timers: clock, query: dns, random: () => 0.5 });
    r.start(rec);
    await clock.advance(0);
    expect(rec.lists[0]).toEqual([
      { address: "10.0.0.1:9001", weight: 5, metadata: { "srv.target": "a.svc.test", "srv.priority": "10" } },
      { address: "10.0.1.1:9002", weight: 0.01, metadata: { "srv.target": "b.svc.test", "srv.priority": "10" } },
    ]);
    r.close();
  });

  it("uses only the lowest SRV priority whose targets have addresses", async () => {
    const clock = fakeClock();
    const dns = scriptedDns();
    dns.answer = ["10.0.0.1"];
    dns.srvAnswer = [
      { name: "b.svc.test", port: 9002, priority: 20, weight: 50 },
      { name: "a.svc.test", port: 9001, priority: 10, weight: 1 },
      { name: "a.svc.test", port: 9003, priority: 10, weight: 2 },
    ];
    const rec = recorder();
    const r = createDnsResolver({ name: "_grpc._tcp.svc.test", srv: true, now: clock.now, timers: clock, query: dns, random: () => 0.5, refreshIntervalMs: 1000 });
    r.start(rec);
    await clock.advance(0);
    expect(rec.lists[0]).toEqual([
      { address: "10.0.0.1:9003", weight: 2, metadata: { "srv.target": "a.svc.test", "srv.priority": "10" } },
      { address: "10.0.0.1:9001", weight: 1, metadata: { "srv.target": "a.svc.test", "srv.priority": "10" } },
    ]);
    // The priority-10 target loses its addresses: priority 20 takes over.
    const addresses = dns.addresses.bind(dns);
    dns.addresses = async (host) => (host.startsWith("a.") ? Promise.reject(errno("ENOTFOUND")) : addresses(host));
    await clock.advance(1000);
    expect(rec.lists[1]).toEqual([{ address: "10.0.1.1:9002", weight: 50, metadata: { "srv.target": "b.svc.test", "srv.priority": "20" } }]);
    // No priority resolves: an error, and the last good list stays.
    dns.addresses = async () => Promise.reject(errno("ENOTFOUND"));
    await clock.advance(1000);
    expect(rec.lists).toHaveLength(2);
    expect(rec.errors[0]?.message).toMatch(/SRV _grpc\._tcp\.svc\.test failed \(ENODATA\)/);
    r.close();
  });

  it("pushes an IP-literal name without asking DNS", async () => {
    const clock = fakeClock();
    const dns = scriptedDns();
    const rec = recorder();
    const r = createDnsResolver({ name: "::1", port: 80, now: clock.now, timers: clock, query: dns });
    r.start(rec);
    await clock.advance(0);
    expect(rec.lists).toEqual([[{ address: "[::1]:80" }]]);
    expect(dns.queries).toBe(0);
    r.close();
  });

  it("validates its options", () => {
    expect(() => createDnsResolver({ name: "svc.test" })).toThrow(/port must be an integer in 1-65535/);
    expect(() => createDnsResolver({ name: "svc.test", port: 1, refreshIntervalMs: 0 })).toThrow(/refreshIntervalMs/);
    expect(() => createDnsResolver({ name: "svc.test", port: 1, minRefreshIntervalMs: -1 })).toThrow(/minRefreshIntervalMs/);
  });
});

describe("registry and static resolver", () => {
  it("creates static resolvers that push once", async () => {
    const rec = recorder();
    const r = createResolver("static:///127.0.0.1:1,[::1]:2,127.0.0.1:1");
    r.start(rec);
    expect(rec.lists).toHaveLength(0);
    await Promise.resolve();
    expect(rec.lists).toEqual([[{ address: "127.0.0.1:1" }, { address: "[::1]:2" }]]);
    r.refresh();
    await Promise.resolve();
    expect(rec.lists).toHaveLength(1);
    r.close();
    expect(() => createStaticResolver([{ address: "a:1", weight: 0 }])).toThrow(/weights must be finite and > 0/);
  });

  it("creates dns resolvers for dns and bare targets, and rejects unknown schemes", () => {
    createResolver("dns:///svc.test:80").close();
    createResolver("svc.test:80").close();
    createResolver("dns://127.0.0.1:5353/_grpc._tcp.svc.test").close();
    expect(() => createResolver("etcdx:///inventory")).toThrow(
      /invalid channel target "etcdx:\/\/\/inventory": unknown scheme "etcdx"; accepted schemes: dns, etcd, registry, static/,
    );
  });

  it("accepts new schemes", () => {
    const seen: string[] = [];
    registerResolver("fixture", (target) => {
      seen.push(target.endpoint);
      return createStaticResolver([{ address: "127.0.0.1:1" }]);
    });
    createResolver("fixture:///abc").close();
    expect(seen).toEqual(["abc"]);
    expect(registeredSchemes()).toContain("fixture");
    expect(() => registerResolver("Bad Scheme", () => createStaticResolver([{ address: "a:1" }]))).toThrow(/scheme "Bad Scheme"/);
  });
});

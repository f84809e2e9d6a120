import { Code, ConnectError } from "@connectrpc/connect";
import type { CachePolicy } from "../client/method-policy.js";
import { ResponseCache, type CacheFetch, type ResponseCodec } from "./response-cache.js";

type Value = { text: string; list: number[] };
const codec: ResponseCodec<Value, string> = {
  freeze: (v) => ({ kept: JSON.stringify(v), length: JSON.stringify(v).length }),
  thaw: (kept) => JSON.parse(kept) as Value,
};
const policy: CachePolicy = { ttlMs: 100, maxEntries: 10, maxBytes: 0, eviction: "lru", staleWhileRevalidateMs: 0, keyHeaders: [] };

/** A controllable upstream: each call waits until the test settles it. */
function upstream() {
  const calls: Array<{ signal: AbortSignal; resolve: (v: Value) => void; reject: (e: unknown) => void }> = [];
  const load = (signal: AbortSignal) => new Promise<Value>((resolve, reject) => calls.push({ signal, resolve, reject }));
  return { calls, load };
}

const tick = () => new Promise((r) => setImmediate(r));

function setup(p: CachePolicy = policy) {
  let now = 0;
  const cache = new ResponseCache({ now: () => now });
  const up = upstream();
  const fetch = (key: string, extra: Partial<CacheFetch<Value, string>> = {}) =>
    cache.fetch<Value, string>({ method: "svc/M", key: `svc/M\n${key}`, policy: p, codec, load: up.load, ...extra });
  return { cache, up, fetch, advance: (ms: number) => (now += ms) };
}

describe("ResponseCache", () => {
  it("serves a fresh entry until its TTL, then calls upstream again", async () => {
    const { up, fetch, advance, cache } = setup();
    const first = fetch("a");
    await tick();
    up.calls[0]!.resolve({ text: "v1", list: [] });
    expect(await first).toEqual({ text: "v1", list: [] });
    advance(99);
    expect(await fetch("a")).toEqual({ text: "v1", list: [] });
    expect(up.calls).toHaveLength(1);
    advance(1);
    const third = fetch("a");
    await tick();
    expect(up.calls).toHaveLength(2);
    up.calls[1]!.resolve({ text: "v2", list: [] });
    expect((await third).text).toBe("v2");
    expect(cache.stats()["svc/M"]).toMatchObject({ hits: 1, misses: 2, coalesced: 0, staleServed: 0, entries: 1 });
  });

  it("serves stale within the window while exactly one background call refreshes it", async () => {
    const { up, fetch, advance, cache } = setup({ ...policy, staleWhileRevalidateMs: 50 });
    const first = fetch("a");
    await tick();
    up.calls[0]!.resolve({ text: "old", list: [] });
    await first;
    advance(120); // stale, inside the 50 ms window
    expect((await fetch("a")).text).toBe("old");
    expect((await fetch("a")).text).toBe("old");
    await tick();
    expect(up.calls).toHaveLength(2); // one refresh for both stale reads
    up.calls[1]!.resolve({ text: "new", list: [] });
    await tick();
    expect((await fetch("a")).text).toBe("new");
    expect(cache.stats()["svc/M"]).toMatchObject({ hits: 1, misses: 1, staleServed: 2 });
    advance(151); // past TTL + window: a plain miss
    const late = fetch("a");
    await tick();
    expect(up.calls).toHaveLength(3);
    up.calls[2]!.resolve({ text: "newer", list: [] });
    expect((await late).text).toBe("newer");
  });

  it("keeps serving stale when the background refresh fails", async () => {
    const { up, fetch, advance } = setup({ ...policy, staleWhileRevalidateMs: 50 });
    const first = fetch("a");
    await tick();
    up.calls[0]!.resolve({ text: "old", list: [] });
    await first;
    advance(110);
    expect((await fetch("a")).text).toBe("old");
    await tick();
    up.calls[1]!.reject(new ConnectError("down", Code.Unavailable));
    await tick();
    expect((await fetch("a")).text).toBe("old");
  });

  it("coalesces identical concurrent calls into one upstream call, each caller getting its own copy", async () => {
    const { up, fetch, cache } = setup();
    const waiters = Array.from({ length: 5 }, () => fetch("a"));
    await tick();
    expect(up.calls).toHaveLength(1);
    up.calls[0]!.resolve({ text: "v", list: [1] });
    const results = await Promise.all(waiters);
    expect(new Set(results).size).toBe(5);
    results[0]!.list.push(99); // a caller mutating its answer
    expect((await fetch("a")).list).toEqual([1]);
    expect(cache.stats()["svc/M"]).toMatchObject({ misses: 1, coalesced: 4, hits: 1 });
  });

  it("gives every waiter the upstream error and caches nothing", async () => {
    const { up, fetch } = setup();
    const waiters = [fetch("a"), fetch("a")];
    await tick();
    const error = new ConnectError("boom", Code.Internal);
    up.calls[0]!.reject(error);
    for (const w of waiters) await expect(w).rejects.toBe(error);
    const again = fetch("a");
    await tick();
    expect(up.calls).toHaveLength(2);
    up.calls[1]!.resolve({ text: "ok", list: [] });
    await again;
  });

  it("lets one waiter cancel alone; the upstream call is aborted only when every waiter has", async () => {
    const { up, fetch } = setup();
    const a = new AbortController();
    const b = new AbortController();
    const first = fetch("a", { signal: a.signal });
    const second = fetch("a", { signal: b.signal });
    await tick();
    a.abort();
    await expect(first).rejects.toMatchObject({ code: Code.Canceled });
    expect(up.calls[0]!.signal.aborted).toBe(false);
    up.calls[0]!.resolve({ text: "v", list: [] });
    expect((await second).text).toBe("v");

    const c = new AbortController();
    const d = new AbortController();
    const third = fetch("b", { signal: c.signal });
    const fourth = fetch("b", { signal: d.signal });
    await tick();
    c.abort();
    d.abort();
    await expect(third).rejects.toMatchObject({ code: Code.Canceled });
    await expect(fourth).rejects.toMatchObject({ code: Code.Canceled });
    expect(up.calls[1]!.signal.aborted).toBe(true);
  });

  it("ends a waiter's wait at its own deadline with DEADLINE_EXCEEDED, others keep waiting", async () => {
    const { up, fetch } = setup();
    const hasty = fetch("a", { timeoutMs: 5 });
    const patient = fetch("a");
    await expect(hasty).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    expect(up.calls[0]!.signal.aborted).toBe(false);
    up.calls[0]!.resolve({ text: "v", list: [] });
    expect((await patient).text).toBe("v");
  });

  it("caches NOT_FOUND only when asked, and only for the negative TTL", async () => {
    const { up, fetch, advance, cache } = setup();
    const miss = fetch("gone", { negativeTtlMs: 20 });
    await tick();
    up.calls[0]!.reject(new ConnectError("no such item", Code.NotFound));
    await expect(miss).rejects.toMatchObject({ code: Code.NotFound });
    await expect(fetch("gone", { negativeTtlMs: 20 })).rejects.toMatchObject({ code: Code.NotFound, rawMessage: "no such item" });
    expect(up.calls).toHaveLength(1);
    expect(cache.stats()["svc/M"]!.hits).toBe(1);
    advance(20);
    const after = fetch("gone", { negativeTtlMs: 20 });
    await tick();
    expect(up.calls).toHaveLength(2);
    up.calls[1]!.reject(new ConnectError("denied", Code.PermissionDenied));
    await expect(after).rejects.toMatchObject({ code: Code.PermissionDenied });
    const retry = fetch("gone", { negativeTtlMs: 20 });
    await tick();
    expect(up.calls).toHaveLength(3); // PERMISSION_DENIED was not cached
    up.calls[2]!.reject(new ConnectError("no such item", Code.NotFound));
    await expect(retry).rejects.toBeInstanceOf(ConnectError);
  });

  it("does not cache NOT_FOUND without a negative TTL", async () => {
    const { up, fetch } = setup();
    const miss = fetch("gone");
    await tick();
    up.calls[0]!.reject(new ConnectError("no", Code.NotFound));
    await expect(miss).rejects.toMatchObject({ code: Code.NotFound });
    void fetch("gone").catch(() => {});
    await tick();
    expect(up.calls).toHaveLength(2);
    up.calls[1]!.reject(new ConnectError("no", Code.NotFound));
  });

  it("invalidates by method, key prefix and tag; an answer in flight across an invalidation is not stored", async () => {
    const { up, fetch, cache } = setup();
    const fill = async (key: string, tag?: string) => {
      const p = fetch(key, { tag });
      await tick();
      up.calls[up.calls.length - 1]!.resolve({ text: key, list: [] });
      await p;
    };
    await fill("x1", "t1");
    await fill("x2", "t2");
    await fill("y1");
    cache.invalidate("svc/M", { keyPrefix: "svc/M\nx" });
    expect(cache.stats()["svc/M"]!.entries).toBe(1);
    await fill("x1", "t1");
    await fill("x2", "t2");
    cache.invalidate("svc/M", { tag: "t1" }); // drops x1 and the untagged y1
    expect(cache.stats()["svc/M"]!.entries).toBe(1);
    cache.invalidate("svc"); // a service name drops all its methods
    expect(cache.stats()["svc/M"]!.entries).toBe(0);

    const inFlight = fetch("z");
    await tick();
    cache.invalidate("svc/M");
    up.calls[up.calls.length - 1]!.resolve({ text: "z", list: [] });
    await inFlight;
    expect(cache.stats()["svc/M"]!.entries).toBe(0);
  });

  it("counts evictions and keeps the method's bounds", async () => {
    const { up, fetch, cache } = setup({ ...policy, maxEntries: 2 });
    for (const key of ["a", "b", "c"]) {
      const p = fetch(key);
      await tick();
      up.calls[up.calls.length - 1]!.resolve({ text: key, list: [] });
      await p;
    }
    expect(cache.stats()["svc/M"]).toMatchObject({ evictions: 1, entries: 2 });
    cache.clear();
    expect(cache.stats()["svc/M"]).toMatchObject({ entries: 0, bytes: 0, misses: 3 });
  });
});

// The cache layer end to end: a plain connect-node transport wrapped by the layer, calling a real
// Connect server on 127.0.0.1; the test puts each method's policy into contextValues, as the
// policy client will, and counts upstream calls on the server.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { Code, ConnectError, createClient, createContextValues, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { connectNodeAdapter, createConnectTransport } from "@connectrpc/connect-node";
import type { MethodPolicy } from "@sluice/runtime";
import { copyStrategies, createCacheLayer, ResponseCache, type CacheLayerOptions } from "@sluice/runtime";
import { methodPolicyContext } from "../../packages/runtime/src/client/policy-context.js";
import { InventoryService, type GetItemRequest, type PutItemRequest } from "../../examples/inventory/gen/inventory/v1/inventory_pb.js";

interface Upstream {
  readonly port: number;
  readonly calls: Record<string, number>;
  readonly aborted: string[];
  close(): Promise<void>;
}

/** An InventoryService whose GetItem names the caller's authorization and counts calls per sku. */
async function startUpstream(): Promise<Upstream> {
  const calls: Record<string, number> = {};
  const aborted: string[] = [];
  const routes = (router: ConnectRouter) =>
    router.service(InventoryService, {
      async getItem(request: GetItemRequest, context: HandlerContext) {
        calls[request.sku] = (calls[request.sku] ?? 0) + 1;
        if (request.sku.startsWith("slow")) {
          await delay(150, undefined, { signal: context.signal }).catch(() => {
            aborted.push(request.sku);
            throw new ConnectError("aborted", Code.Canceled);
          });
        }
        if (request.sku === "missing") throw new ConnectError(`no item ${request.sku}`, Code.NotFound);
        const who = context.requestHeader.get("authorization") ?? "anonymous";
        return { item: { sku: request.sku, name: `for ${who}`, quantity: calls[request.sku] }, servedBy: "upstream" };
      },
      async putItem(request: PutItemRequest) {
        calls[`put:${request.item?.sku}`] = (calls[`put:${request.item?.sku}`] ?? 0) + 1;
        return { item: request.item, created: false };
      },
      async *listItems() {
        calls.list = (calls.list ?? 0) + 1;
        yield { sku: "a" };
        yield { sku: "b" };
      },
    });
  const server = http2.createServer(connectNodeAdapter({ routes }));
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    calls,
    aborted,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of sessions) session.destroy();
      }),
  };
}

const getItemPolicy: MethodPolicy<GetItemRequest> = {
  idempotency: "no-side-effects",
  cache: { ttlMs: 60_000, maxEntries: 100, maxBytes: 0, eviction: "tinylfu", staleWhileRevalidateMs: 0, keyHeaders: ["x-tenant"] },
  routingKey: { path: "sku", get: (r) => r.sku },
};
const putItemPolicy: MethodPolicy<PutItemRequest> = {
  idempotency: "unknown",
  invalidates: ["GetItem"],
  routingKey: { path: "item.sku", get: (r) => r.item?.sku },
};
const withPolicy = (policy: MethodPolicy<never> | undefined) => createContextValues().set(methodPolicyContext, policy as MethodPolicy<unknown> | undefined);

describe("cache layer over a real Connect server", () => {
  let upstream: Upstream;
  beforeEach(async () => {
    upstream = await startUpstream();
  });
  afterEach(async () => {
    await upstream.close();
  });

  function client(options: CacheLayerOptions = {}) {
    const layer = createCacheLayer(options);
    const transport = layer(createConnectTransport({ baseUrl: `http://127.0.0.1:${upstream.port}`, httpVersion: "2" }));
    const c = createClient(InventoryService, transport);
    return {
      layer,
      get: (sku: string, init: { auth?: string; tenant?: string; signal?: AbortSignal } = {}) =>
        c.getItem(
          { sku },
          {
            contextValues: withPolicy(getItemPolicy as MethodPolicy<never>),
            headers: { ...(init.auth ? { authorization: init.auth } : {}), ...(init.tenant ? { "x-tenant": init.tenant } : {}) },
            signal: init.signal,
          },
        ),
      put: (sku: string) => c.putItem({ item: { sku, name: "new" } }, { contextValues: withPolicy(putItemPolicy as MethodPolicy<never>) }),
      raw: c,
    };
  }

  it("answers repeated identical calls from the cache: one upstream call", async () => {
    const { get, layer } = client();
    for (let i = 0; i < 5; i++) expect((await get("a")).item?.quantity).toBe(1);
    expect(upstream.calls.a).toBe(1);
    expect(layer.stats()["inventory.v1.InventoryService/GetItem"]).toMatchObject({ hits: 4, misses: 1, entries: 1 });
  });

  it("coalesces concurrent identical calls into one upstream call", async () => {
    const { get, layer } = client();
    const answers = await Promise.all(Array.from({ length: 10 }, () => get("slow-1")));
    expect(answers.every((a) => a.item?.sku === "slow-1")).toBe(true);
    expect(upstream.calls["slow-1"]).toBe(1);
    expect(layer.stats()["inventory.v1.InventoryService/GetItem"]).toMatchObject({ misses: 1, coalesced: 9 });
  });

  it("never serves one authorization's answer to another, nor across key headers", async () => {
    const { get } = client();
    expect((await get("a", { auth: "Bearer alice" })).item?.name).toBe("for Bearer alice");
    expect((await get("a", { auth: "Bearer bob" })).item?.name).toBe("for Bearer bob");
    expect((await get("a")).item?.name).toBe("for anonymous");
    expect((await get("a", { auth: "Bearer alice" })).item?.name).toBe("for Bearer alice");
    expect(upstream.calls.a).toBe(3);
    await get("a", { auth: "Bearer alice", tenant: "t2" });
    expect(upstream.calls.a).toBe(4);
  });

  it.each(copyStrategies)("hands every caller its own message and headers (copy = %s): mutating them does not reach the cache", async (copy) => {
    const { get, raw } = client({ copy });
    const first = await get("a");
    first.item!.name = "scribbled";
    first.item!.quantity = 999;
    let header: Headers | undefined;
    let trailer: Headers | undefined;
    const options = { contextValues: withPolicy(getItemPolicy as MethodPolicy<never>), onHeader: (h: Headers) => (header = h), onTrailer: (t: Headers) => (trailer = t) };
    await raw.getItem({ sku: "a" }, options);
    expect(header?.get("content-type")).toMatch(/^application\/proto/);
    header!.set("content-type", "scribbled");
    trailer!.set("x-scribbled", "1");
    const second = await get("a");
    expect(second.item?.name).toBe("for anonymous");
    expect(second.item?.quantity).toBe(1);
    expect(second).not.toBe(first);
    await raw.getItem({ sku: "a" }, options);
    expect(header?.get("content-type")).toMatch(/^application\/proto/);
    expect(trailer?.has("x-scribbled")).toBe(false);
    expect(upstream.calls.a).toBe(1);
  });

  it("drops GetItem for the same sku after a PutItem that declares it invalidates GetItem", async () => {
    const { get, put } = client();
    await get("a");
    await get("b");
    await put("a");
    await get("a");
    await get("b");
    expect(upstream.calls.a).toBe(2);
    expect(upstream.calls.b).toBe(1);
  });

  it("invalidates one request for every caller, or a whole method, through the layer", async () => {
    const { get, layer } = client();
    await get("a", { auth: "x" });
    await get("a", { auth: "y" });
    await get("b");
    layer.invalidate(InventoryService.method.getItem, { sku: "a" });
    await get("a", { auth: "x" });
    await get("a", { auth: "y" });
    await get("b");
    expect([upstream.calls.a, upstream.calls.b]).toEqual([4, 1]);
    layer.invalidate(InventoryService);
    await get("b");
    expect(upstream.calls.b).toBe(2);
  });

  it("caches NOT_FOUND briefly when asked, and other errors never", async () => {
    const { get } = client({ negativeTtlMs: 60_000 });
    await expect(get("missing")).rejects.toMatchObject({ code: Code.NotFound });
    await expect(get("missing")).rejects.toMatchObject({ code: Code.NotFound });
    expect(upstream.calls.missing).toBe(1);
    const plain = client();
    await expect(plain.get("missing")).rejects.toMatchObject({ code: Code.NotFound });
    await expect(plain.get("missing")).rejects.toMatchObject({ code: Code.NotFound });
    expect(upstream.calls.missing).toBe(3);
  });

  it("passes through calls without a cache policy, methods turned off, and streams", async () => {
    const off = client({ methods: { GetItem: "off" } });
    await off.get("a");
    await off.get("a");
    expect(upstream.calls.a).toBe(2);
    const { raw } = client();
    await raw.getItem({ sku: "a" });
    await raw.getItem({ sku: "a" }, { contextValues: withPolicy(undefined) });
    expect(upstream.calls.a).toBe(4);
    let n = 0;
    for await (const _ of raw.listItems({}, { contextValues: withPolicy(getItemPolicy as MethodPolicy<never>) })) n++;
    for await (const _ of raw.listItems({})) n++;
    expect([n, upstream.calls.list]).toEqual([4, 2]);
  });

  it("lets one caller cancel without cancelling the shared upstream call", async () => {
    const { get } = client();
    const quitter = new AbortController();
    const first = get("slow-2", { signal: quitter.signal });
    const second = get("slow-2");
    await delay(30);
    quitter.abort();
    await expect(first).rejects.toMatchObject({ code: Code.Canceled });
    expect((await second).item?.sku).toBe("slow-2");
    expect(upstream.calls["slow-2"]).toBe(1);
    expect(upstream.aborted).toEqual([]);
  });

  it("shares one cache between two layers (two clients of one service)", async () => {
    const cache = new ResponseCache();
    const one = client({ cache });
    const two = client({ cache });
    await one.get("a");
    await two.get("a");
    expect(upstream.calls.a).toBe(1);
    expect(two.layer.stats()["inventory.v1.InventoryService/GetItem"]?.hits).toBe(1);
  });

  it("fails a call its override cannot cache with a rejected promise naming the field, never a throw", async () => {
    const layer = createCacheLayer({ methods: { GetItem: { maxEntries: 10 } } });
    const transport = layer(createConnectTransport({ baseUrl: `http://127.0.0.1:${upstream.port}`, httpVersion: "2" }));
    const uncachedPolicy = withPolicy({ idempotency: "no-side-effects" } as MethodPolicy<never>);
    let call: Promise<unknown> | undefined;
    expect(() => (call = transport.unary(InventoryService.method.getItem, undefined, undefined, undefined, { sku: "a" }, uncachedPolicy))).not.toThrow();
    await expect(call).rejects.toThrow(/methods\.GetItem\.ttlMs: must be > 0/);
  });

  it("rejects bad options naming the field", () => {
    expect(() => createCacheLayer({ methods: { GetItem: { ttlMs: 0 } } })).toThrow("methods.GetItem.ttlMs: must be > 0, got 0");
    expect(() => createCacheLayer({ methods: { GetItem: { eviction: "fifo" as never } } })).toThrow(/methods\.GetItem\.eviction: must be one of lru, lfu, arc, tinylfu, got fifo/);
    expect(() => createCacheLayer({ copy: "deep" as never })).toThrow(/copy: must be one of copy, decode, clone, got deep/);
  });
});

// The channel's call credentials are part of the cache key: callers whose channels (or whose
// per-call credentials) sign as different users never get each other's cached GetItem answer.
import { AsyncLocalStorage } from "node:async_hooks";
import { Code, ConnectError, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { createCacheLayer, createChannel, createTokenCredentials, serve, type CallCredentials, type Channel, type Server } from "@sluice/runtime";
import type { GetItemRequest } from "../../examples/inventory/gen/inventory/v1/inventory_pb.js";
import { createInventoryServiceClient, registerInventoryService } from "../../examples/inventory/gen/inventory/v1/inventory_sluice.js";
import { createInventoryHandlers } from "../../examples/inventory/src/handlers.js";
import { createInventoryStore } from "../../examples/inventory/src/store.js";

describe("the channel's call credentials in the cache key", () => {
  let server: Server;
  let upstream = 0;
  const channels: Channel[] = [];

  beforeAll(async () => {
    const handlers = createInventoryHandlers(createInventoryStore(), { name: "only" });
    server = await serve({
      host: "127.0.0.1",
      routes: (router) =>
        registerInventoryService(router, {
          ...handlers,
          // The answer names the caller, as a per-user view of an item would.
          async getItem(request: GetItemRequest, context: HandlerContext) {
            upstream++;
            const answer = await handlers.getItem(request, context);
            return { ...answer, servedBy: context.requestHeader.get("authorization") ?? "anonymous" };
          },
        }),
    });
  });
  afterAll(async () => {
    await Promise.all(channels.map((channel) => channel.close(200)));
    await server.close();
  });
  beforeEach(() => {
    upstream = 0;
  });

  const channelAs = (credentials: CallCredentials): Channel => {
    const channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, credentials });
    channels.push(channel);
    return channel;
  };
  const tokenOf = (user: string) => createTokenCredentials({ fetchToken: () => ({ token: user, expiresAtMs: Infinity }) });

  it("two channels with different token credentials sharing one cache each get their own answer", async () => {
    const shared = createCacheLayer();
    const alice = createInventoryServiceClient(channelAs(tokenOf("alice")), undefined, { cache: shared });
    const bob = createInventoryServiceClient(channelAs(tokenOf("bob")), undefined, { cache: shared });
    expect((await alice.getItem({ sku: "sku-0001" })).servedBy).toBe("Bearer alice");
    expect((await bob.getItem({ sku: "sku-0001" })).servedBy).toBe("Bearer bob");
    expect((await alice.getItem({ sku: "sku-0001" })).servedBy).toBe("Bearer alice");
    expect((await bob.getItem({ sku: "sku-0001" })).servedBy).toBe("Bearer bob");
    // One upstream call per user; the repeats were hits.
    expect(upstream).toBe(2);
    expect(shared.stats()["inventory.v1.InventoryService/GetItem"]).toMatchObject({ hits: 2, misses: 2 });
  });

  it("one channel whose credentials sign as the user of the current request keeps users apart", async () => {
    const currentUser = new AsyncLocalStorage<string>();
    const perUser: CallCredentials = () => ({ authorization: `Bearer ${currentUser.getStore() ?? "nobody"}` });
    const client = createInventoryServiceClient(channelAs(perUser));
    const getAs = (user: string) => currentUser.run(user, () => client.getItem({ sku: "sku-0002" }));
    expect((await getAs("carol")).servedBy).toBe("Bearer carol");
    expect((await getAs("dave")).servedBy).toBe("Bearer dave");
    expect((await getAs("carol")).servedBy).toBe("Bearer carol");
    expect(upstream).toBe(2);
  });

  it("an async provider is asked per call, and a new token keys a new entry", async () => {
    let token = "t-1";
    const rotating: CallCredentials = async () => ({ authorization: `Bearer ${token}` });
    const client = createInventoryServiceClient(channelAs(rotating));
    expect((await client.getItem({ sku: "sku-0003" })).servedBy).toBe("Bearer t-1");
    expect((await client.getItem({ sku: "sku-0003" })).servedBy).toBe("Bearer t-1");
    token = "t-2";
    expect((await client.getItem({ sku: "sku-0003" })).servedBy).toBe("Bearer t-2");
    expect(upstream).toBe(2);
  });

  it("a provider that fails fails the call with UNAUTHENTICATED, and nothing goes upstream", async () => {
    const client = createInventoryServiceClient(
      channelAs(() => {
        throw new Error("no session");
      }),
    );
    await expect(client.getItem({ sku: "sku-0004" })).rejects.toMatchObject({ code: Code.Unauthenticated, rawMessage: "call credentials failed: no session" });
    expect(upstream).toBe(0);
  });

  it("a provider slower than the call's deadline ends the call with DEADLINE_EXCEEDED", async () => {
    const client = createInventoryServiceClient(channelAs(() => new Promise(() => {})));
    const error = await client.getItem({ sku: "sku-0005" }, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(ConnectError.from(error).code).toBe(Code.DeadlineExceeded);
    expect(upstream).toBe(0);
  });

  it("a client interceptor that spreads a cached response still sees its header and trailer", async () => {
    const seen: Array<string | null> = [];
    const spreading: Interceptor = (next) => async (req) => {
      const res = { ...(await next(req)) };
      if (!res.stream) seen.push(res.header.get("content-type"));
      return res;
    };
    const client = createInventoryServiceClient(channelAs(tokenOf("erin")), undefined, { interceptors: [spreading] });
    await client.getItem({ sku: "sku-0006" });
    await client.getItem({ sku: "sku-0006" });
    expect(upstream).toBe(1);
    expect(seen).toEqual(["application/grpc+proto", "application/grpc+proto"]);
  });
});

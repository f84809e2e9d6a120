// Costs of one call for the `cache` scenario, in this process over 127.0.0.1: an uncached unary call,
// and a cache hit through the generated client over a Sluice channel (per copy strategy, with and
// without call credentials); CPU time from process.cpuUsage, as wall time on a shared machine mostly measures waiting.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { createClient, createContextValues } from "@connectrpc/connect";
import { connectNodeAdapter, createConnectTransport } from "@connectrpc/connect-node";
import {
  copyStrategies,
  createCacheLayer,
  createChannel,
  createTokenCredentials,
  methodPolicyContext,
  type CallCredentials,
  type Channel,
  type CopyStrategy,
  type MethodPolicy,
} from "@sluice/runtime";
import { create } from "@bufbuild/protobuf";
import { EchoRequestSchema, EchoService } from "../../gen/bench/v1/echo_pb.js";
import { createEchoServiceClient } from "../../gen/bench/v1/echo_sluice.js";
import { echoServiceImpl } from "../contenders/echo-service.js";
import { median } from "../harness/stats.js";

/** Calls per second and CPU µs per call of a loop. */
export interface LoopCost {
  readonly callsPerSec: number;
  readonly cpuUsPerCall: number;
}

/** Measured costs, per call. */
export interface CallCosts {
  /** One uncached unary call through Connect's own client and transport (client and server in this process). */
  readonly uncached: LoopCost;
  /** One uncached call through the generated client over a Sluice channel (its cache turned off). */
  readonly uncachedGenerated: LoopCost;
  /** Per copy strategy: a hit-only loop through the generated client over a Sluice channel. */
  readonly hits: Record<CopyStrategy, LoopCost>;
  /** The same hit loop (default copy) over a channel with token call credentials, which are part of the key. */
  readonly hitWithCredentials: LoopCost;
  /** A hit-only loop calling the cache layer's `unary` directly (the layer's own cost). */
  readonly layerHit: LoopCost;
}

/** Runs `calls` sequential calls of `call` and measures them. */
async function timeLoop(calls: number, call: () => Promise<unknown>): Promise<LoopCost> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let i = 0; i < calls; i++) await call();
  const used = process.cpuUsage(cpu);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { callsPerSec: calls / seconds, cpuUsPerCall: (used.user + used.system) / calls };
}

/**
 * Measures several loops fairly: every loop is warmed up first, then three rounds run each loop
 * in turn (so no loop gains from running while the JIT has seen fewer call shapes); per loop, the
 * round with the median CPU per call.
 */
async function measureInRounds<K extends string>(calls: number, loops: Record<K, () => Promise<unknown>>): Promise<Record<K, LoopCost>> {
  const names = Object.keys(loops) as K[];
  for (const name of names) await timeLoop(Math.min(2000, calls), loops[name]);
  const runs = new Map<K, LoopCost[]>(names.map((name) => [name, []]));
  for (let round = 0; round < 3; round++) {
    for (const name of names) runs.get(name)!.push(await timeLoop(Math.max(1, Math.floor(calls / 3)), loops[name]));
  }
  const out = {} as Record<K, LoopCost>;
  for (const name of names) {
    const rounds = runs.get(name)!;
    const cpu = median(rounds.map((r) => r.cpuUsPerCall));
    out[name] = rounds.find((r) => r.cpuUsPerCall === cpu)!;
  }
  return out;
}

const policy: MethodPolicy<unknown> = {
  idempotency: "no-side-effects",
  cache: { ttlMs: 3_600_000, maxEntries: 1000, maxBytes: 0, eviction: "tinylfu", staleWhileRevalidateMs: 0, keyHeaders: [] },
};
/** The bench's Echo is not cached in its .proto: the generated client's override caches it. */
const cachedEcho = { echo: { idempotency: "no-side-effects" as const, cache: policy.cache! } };

/** Measures `calls` sequential uncached calls and `hitCalls` cache hits per way of calling. */
export async function measureCallCosts(calls: number, hitCalls: number): Promise<CallCosts> {
  const server = http2.createServer(connectNodeAdapter({ routes: (router) => router.service(EchoService, echoServiceImpl) }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const payload = new Uint8Array(98).fill(7);
  const channels: Channel[] = [];
  const channel = async (credentials?: CallCredentials): Promise<Channel> => {
    const c = createChannel({ target: `static:///127.0.0.1:${port}`, credentials });
    channels.push(c);
    await c.waitForReady(5000);
    return c;
  };
  try {
    const plain = createClient(EchoService, createConnectTransport({ baseUrl, httpVersion: "2" }));
    const sluice = await channel();
    const generatedOff = createEchoServiceClient(sluice, cachedEcho, { cache: false });
    const { uncached, uncachedGenerated } = await measureInRounds(calls, {
      uncached: () => plain.echo({ payload }),
      uncachedGenerated: () => generatedOff.echo({ payload }),
    });

    const hitLoops = {} as Record<CopyStrategy | "credentials" | "layer", () => Promise<unknown>>;
    for (const copy of copyStrategies) {
      const client = createEchoServiceClient(sluice, cachedEcho, { cache: createCacheLayer({ copy }) });
      hitLoops[copy] = () => client.echo({ payload });
    }
    const signed = await channel(createTokenCredentials({ fetchToken: () => ({ token: "bench-token", expiresAtMs: Infinity }) }));
    const signedClient = createEchoServiceClient(signed, cachedEcho);
    hitLoops.credentials = () => signedClient.echo({ payload });
    const transport = createCacheLayer()(createConnectTransport({ baseUrl, httpVersion: "2" }));
    const request = create(EchoRequestSchema, { payload });
    const contextValues = createContextValues().set(methodPolicyContext, policy);
    hitLoops.layer = () => transport.unary(EchoService.method.echo, undefined, undefined, undefined, request, contextValues);
    const measured = await measureInRounds(hitCalls, hitLoops);
    const hits = Object.fromEntries(copyStrategies.map((copy) => [copy, measured[copy]])) as Record<CopyStrategy, LoopCost>;
    const hitWithCredentials = measured.credentials;
    const layerHit = measured.layer;
    return { uncached, uncachedGenerated, hits, hitWithCredentials, layerHit };
  } finally {
    await Promise.all(channels.map((c) => c.close(100)));
    server.close();
    server.unref();
  }
}

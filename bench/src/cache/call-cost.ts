// Costs of one call for the `cache` scenario, in this process over 127.0.0.1: an uncached unary call
// through connect-node, and a cache hit through the cache layer (per copy strategy).
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { createClient, createContextValues } from "@connectrpc/connect";
import { connectNodeAdapter, createConnectTransport } from "@connectrpc/connect-node";
import { createCacheLayer, methodPolicyContext, type CopyStrategy, type MethodPolicy } from "@sluice/runtime";
import { create } from "@bufbuild/protobuf";
import { EchoRequestSchema, EchoService } from "../../gen/bench/v1/echo_pb.js";
import { echoServiceImpl } from "../contenders/echo-service.js";

/** Calls per second and CPU µs per call of a loop. */
export interface LoopCost {
  readonly callsPerSec: number;
  readonly cpuUsPerCall: number;
}

/** Measured costs, per call. */
export interface CallCosts {
  /** One uncached unary call (client and server in this process). */
  readonly uncached: LoopCost;
  /** Per copy strategy: a hit-only loop through a Connect client whose transport has the layer. */
  readonly hits: Record<CopyStrategy, LoopCost>;
  /** A hit-only loop calling the layered transport's `unary` directly (the layer's own cost). */
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

const policy: MethodPolicy<unknown> = {
  idempotency: "no-side-effects",
  cache: { ttlMs: 3_600_000, maxEntries: 1000, maxBytes: 0, eviction: "tinylfu", staleWhileRevalidateMs: 0, keyHeaders: [] },
};

/** Measures `calls` sequential uncached calls and `hitCalls` cache hits per copy strategy. */
export async function measureCallCosts(calls: number, hitCalls: number): Promise<CallCosts> {
  const server = http2.createServer(connectNodeAdapter({ routes: (router) => router.service(EchoService, echoServiceImpl) }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const payload = new Uint8Array(98).fill(7);
  try {
    const plain = createClient(EchoService, createConnectTransport({ baseUrl, httpVersion: "2" }));
    await timeLoop(Math.min(200, calls), () => plain.echo({ payload }));
    const uncached = await timeLoop(calls, () => plain.echo({ payload }));

    const contextValues = createContextValues().set(methodPolicyContext, policy);
    const hits = {} as Record<CopyStrategy, LoopCost>;
    for (const copy of ["clone", "decode"] as const) {
      const layer = createCacheLayer({ copy });
      const client = createClient(EchoService, layer(createConnectTransport({ baseUrl, httpVersion: "2" })));
      await timeLoop(Math.min(2000, hitCalls), () => client.echo({ payload }, { contextValues }));
      hits[copy] = await timeLoop(hitCalls, () => client.echo({ payload }, { contextValues }));
    }
    const transport = createCacheLayer()(createConnectTransport({ baseUrl, httpVersion: "2" }));
    const request = create(EchoRequestSchema, { payload });
    const direct = () => transport.unary(EchoService.method.echo, undefined, undefined, undefined, request, contextValues);
    await timeLoop(Math.min(2000, hitCalls), direct);
    const layerHit = await timeLoop(hitCalls, direct);
    return { uncached, hits, layerHit };
  } finally {
    server.close();
    server.unref();
  }
}

// Costs of one call for the `cache` scenario, in this process over 127.0.0.1: an uncached unary call
// through connect-node, and a cache hit through the cache layer (per copy strategy).
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { createClient, createContextValues } from "@connectrpc/connect";
import { connectNodeAdapter, createConnectTransport } from "@connectrpc/connect-node";
import { createCacheLayer, methodPolicyContext, type CopyStrategy, type MethodPolicy } from "@sluice/runtime";
import { EchoService } from "../../gen/bench/v1/echo_pb.js";
import { echoServiceImpl } from "../contenders/echo-service.js";

/** Measured costs, per call. */
export interface CallCosts {
  /** Wall µs of one uncached unary call (client and server in this process). */
  readonly uncachedUs: number;
  /** Per copy strategy: hits per second and CPU µs per hit of a hit-only loop. */
  readonly hits: Record<CopyStrategy, { readonly callsPerSec: number; readonly cpuUsPerCall: number }>;
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
    for (let i = 0; i < Math.min(200, calls); i++) await plain.echo({ payload });
    let start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await plain.echo({ payload });
    const uncachedUs = Number(process.hrtime.bigint() - start) / 1000 / calls;

    const hits = {} as Record<CopyStrategy, { callsPerSec: number; cpuUsPerCall: number }>;
    for (const copy of ["clone", "decode"] as const) {
      const layer = createCacheLayer({ copy });
      const client = createClient(EchoService, layer(createConnectTransport({ baseUrl, httpVersion: "2" })));
      const contextValues = createContextValues().set(methodPolicyContext, policy);
      for (let i = 0; i < Math.min(2000, hitCalls); i++) await client.echo({ payload }, { contextValues });
      start = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      for (let i = 0; i < hitCalls; i++) await client.echo({ payload }, { contextValues });
      const used = process.cpuUsage(cpu);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      hits[copy] = { callsPerSec: hitCalls / seconds, cpuUsPerCall: (used.user + used.system) / hitCalls };
    }
    return { uncachedUs, hits };
  } finally {
    server.close();
    server.unref();
  }
}

// Scenario "unary": a 100-byte echo at 1, 16 and 128 calls in flight, Sluice beside its anchors.
import type { Contender, LoadPhase, Point, Scenario, ScenarioMode } from "../harness/scenario.js";
import { callsPerSec, p99, ratioGoal } from "./goals.js";

const CONCURRENCIES = [1, 16, 128] as const;

/** The contenders, in table order: anchors (a)–(c′), then Sluice (d) and (e), then over TLS: grpc-js (cT), raw node:http2 (c′T) and Sluice (dT). */
const contenders: Contender[] = [
  {
    id: "a",
    label: "Connect-ES, gRPC (h2c)",
    server: { module: "contenders/connect-es-server.js" },
    client: { module: "contenders/connect-es-client.js", options: { protocol: "grpc" } },
  },
  {
    id: "b",
    label: "Connect-ES, Connect (h2c)",
    server: { module: "contenders/connect-es-server.js" },
    client: { module: "contenders/connect-es-client.js", options: { protocol: "connect" } },
  },
  {
    id: "c",
    label: "grpc-js",
    server: { module: "contenders/grpc-js-server.js" },
    client: { module: "contenders/grpc-js-client.js" },
  },
  {
    id: "c′",
    label: "raw node:http2 (ceiling)",
    server: { module: "contenders/raw-http2-server.js" },
    client: { module: "contenders/raw-http2-client.js" },
  },
  {
    id: "d",
    label: "Sluice, 1 endpoint (gRPC)",
    server: { module: "contenders/sluice-server.js", options: { endpoints: 1 } },
    client: { module: "contenders/sluice-client.js", options: { protocol: "grpc" } },
  },
  {
    id: "e",
    label: "Sluice, 4 endpoints (gRPC)",
    server: { module: "contenders/sluice-server.js", options: { endpoints: 4 } },
    client: { module: "contenders/sluice-client.js", options: { protocol: "grpc" } },
  },
  {
    id: "cT",
    label: "grpc-js, TLS",
    server: { module: "contenders/grpc-js-server.js", options: { tls: "true" } },
    client: { module: "contenders/grpc-js-client.js", options: { tls: "true" } },
  },
  {
    id: "c′T",
    label: "raw node:http2, TLS (ceiling)",
    server: { module: "contenders/raw-http2-server.js", options: { tls: "true" } },
    client: { module: "contenders/raw-http2-client.js", options: { tls: "true" } },
  },
  {
    id: "dT",
    label: "Sluice, 1 endpoint (gRPC), TLS",
    server: { module: "contenders/sluice-server.js", options: { endpoints: 1, tls: "true" } },
    client: { module: "contenders/sluice-client.js", options: { protocol: "grpc", tls: "true" } },
  },
];

function phase(concurrency: number, durationMs: number): LoadPhase {
  return { concurrency, durationMs, timeoutMs: durationMs + 30_000, callArgs: {} };
}

/** The unary echo scenario. */
export const unaryScenario: Scenario = {
  name: "unary",
  title: "Unary echo of ~100 bytes",
  description:
    "Each call sends a 100-byte protobuf message (98-byte `bytes` field) and gets it back; a closed loop keeps 1, 16 or 128 calls in flight " +
    "for a fixed time. Client and server are separate Node processes on 127.0.0.1 over h2c (one HTTP/2 connection per endpoint), " +
    "except (cT), (c′T) and (dT): the same over TLS 1.3 (ECDSA P-256 certificate, ALPN h2; every pair negotiates TLS_AES_256_GCM_SHA384, node's " +
    "default). grpc-js runs with its defaults on both sides (`credentials.createSsl(ca)`, `ServerCredentials.createSsl`), the raw pair with " +
    "node's `http2.connect` / `createSecureServer` defaults, Sluice with `createChannel({ tls: { ca } })` / `serve({ tls })`; node's HTTP/2 " +
    "sets TCP_NODELAY on every one of these connections. " +
    "Each contender's process pair is warmed up for 3 s (then 0.5 s per concurrency) before measuring. CPU µs/call is the process's user+system CPU over the " +
    "measured window divided by the calls completed in it; RSS is the peak sampled every 100 ms in that window.",
  kind: "unary",
  contenders,
  anchors: ["a", "c", "c′", "c′T"],
  points(mode: ScenarioMode): Point[] {
    const measureMs = mode.durationMs ?? (mode.quick ? 400 : 5_000);
    return CONCURRENCIES.map((c) => ({
      id: `c${c}`,
      label: `${c} in flight`,
      warmup: phase(c, mode.quick ? 150 : 500),
      measure: phase(c, measureMs),
    }));
  },
  warmup(mode: ScenarioMode): LoadPhase {
    return phase(16, mode.quick ? 300 : 3_000);
  },
  goals: [
    ratioGoal("Sluice, 1 endpoint (d) ≥ 0.95× plain Connect-ES gRPC (a) req/s at every concurrency [issue 3]", "d", "a", callsPerSec, 0.95),
    ratioGoal("Sluice, 1 endpoint (d) p99 ≤ 1.05× plain Connect-ES gRPC (a) p99 at every concurrency [issue 3]", "d", "a", p99, 1.05),
    ratioGoal("Sluice (d) ≥ 1.5× grpc-js (c) req/s at 16 and 128 in flight [issue 5]", "d", "c", callsPerSec, 1.5, ["c16", "c128"]),
    ratioGoal("Sluice (d) ≥ 0.5× raw node:http2 (c′) req/s at 16 and 128 in flight [issue 5]", "d", "c′", callsPerSec, 0.5, ["c16", "c128"]),
    ratioGoal("Sluice (d) p99 ≤ grpc-js (c) p99 at 16 and 128 in flight [issue 5]", "d", "c", p99, 1.0, ["c16", "c128"]),
    ratioGoal("Sluice over TLS (dT) ≥ 1.5× grpc-js over TLS (cT) req/s at 16 and 128 in flight [issue 10]", "dT", "cT", callsPerSec, 1.5, ["c16", "c128"]),
    ratioGoal("Sluice over TLS (dT) p99 ≤ grpc-js over TLS (cT) p99 at 16 and 128 in flight [issue 10]", "dT", "cT", p99, 1.0, ["c16", "c128"]),
  ],
};

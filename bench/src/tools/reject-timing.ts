// Splits the overload bench's time to reject into its legs: the same server and load generator in two
// processes, every shed call stamped at each step (`node bench/dist/src/tools/reject-timing.js --help`).
import { fork } from "node:child_process";
import { nextMessage } from "./child-messages.js";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { BenchServer } from "../harness/contracts.js";
import { runOpenLoopPhase } from "../harness/open-loop.js";
import { createStallMeter, type StallMeter } from "../harness/stall-meter.js";
import type { LoadPhase, StallReport } from "../harness/scenario.js";
import { decodeHistogram, percentiles } from "../harness/histogram.js";
import { createLeanCaller } from "../contenders/lean-grpc-client.js";
import { overloadLimiterOf, startServer } from "../contenders/overload-server.js";
import { startServer as startRawShedServer } from "../contenders/raw-shed-server.js";
import type { RejectStamps } from "../contenders/reject-stamps.js";
import { pausedWithin, recordGcPauses, type Pause } from "./gc-pauses.js";

const USAGE = `usage: node bench/dist/src/tools/reject-timing.js [--limiter fixed] [--multiple 4] [--connections 2] [--max-connections N] [--seconds 3]
  Runs the overload bench's server (capacity 16 × 10 ms, 1600 calls/s) in a child process and its lean
  load generator here at --multiple × capacity, and prints where the time of the shed calls went.
  --limiter raw runs the scenario's anchor instead (raw-shed-server.ts: node:http2, no Connect, no Sluice, fixed 16).`;

const CAPACITY_PER_SEC = 1600;

/** Messages between this process and its server child. */
type ServerMessage = { op: "ready"; port: number } | { op: "stalls"; stalls: StallReport; pauses: Pause[] };

/** The child: the overload server (or, for limiter "raw", the anchor) with stamped shed answers; 'mark' starts its stall meter and GC record, 'stalls' reports them. */
async function serveChild(limiter: string): Promise<void> {
  const server: BenchServer = limiter === "raw" ? await startRawShedServer({ stampRejects: 1 }) : await startServer({ limiter, stampRejects: 1 });
  let meter: StallMeter | undefined;
  let gc: ReturnType<typeof recordGcPauses> | undefined;
  const send = (message: ServerMessage): void => void process.send?.(message);
  process.on("message", (message: unknown) => {
    if (message === "mark") {
      meter = createStallMeter();
      gc = recordGcPauses();
    } else if (message === "stalls" && meter !== undefined && gc !== undefined) send({ op: "stalls", stalls: meter.stop(), pauses: gc.stop() });
    else if (message === "close") void server.close().then(() => process.exit(0));
  });
  send({ op: "ready", port: server.ports[0] as number });
}

/** p-th percentile (0..100) of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const legs: ReadonlyArray<readonly [string, (s: RejectStamps) => number]> = [
  ["total (call → status received)", (s) => s.receivedAt - s.calledAt],
  ["  waiting for a stream slot (client)", (s) => s.requestedAt - s.calledAt],
  ["  request sent → server 'stream' event", (s) => s.serverStreamAt - s.requestedAt],
  ["  server 'stream' event → shed respond", (s) => s.serverRespondAt - s.serverStreamAt],
  ["  server respond → client 'response'", (s) => s.receivedAt - s.serverRespondAt],
];

/** Of `calls`, the share whose span a pause in `pauses` fell into, and the mean paused ms within a span. */
function gcShare(calls: readonly RejectStamps[], pauses: readonly Pause[]): string {
  const within = calls.map((c) => pausedWithin(pauses, c.calledAt, c.receivedAt));
  const hit = within.filter((ms) => ms > 0).length / Math.max(1, calls.length);
  return `${(hit * 100).toFixed(0)} % (mean ${(within.reduce((a, b) => a + b, 0) / Math.max(1, calls.length)).toFixed(2)} ms paused per call)`;
}

/** How often a GC pause of either process fell inside the p99 tail's calls, against all shed calls. */
function gcReport(stamps: readonly RejectStamps[], client: readonly Pause[], server: readonly Pause[]): string {
  const total = legs[0]![1];
  const p99Total = percentile(stamps.map(total).sort((a, b) => a - b), 99);
  const tail = stamps.filter((s) => total(s) >= p99Total);
  return [
    `calls a GC pause fell into — load generator: all ${gcShare(stamps, client)}, p99 tail ${gcShare(tail, client)}`,
    `                              server:         all ${gcShare(stamps, server)}, p99 tail ${gcShare(tail, server)}`,
  ].join("\n");
}

function report(stamps: readonly RejectStamps[]): string {
  const total = legs[0]![1];
  const byTotal = [...stamps].sort((a, b) => total(a) - total(b));
  const p99Total = percentile(byTotal.map(total), 99);
  const tail = byTotal.filter((s) => total(s) >= p99Total);
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const lines = [`shed calls stamped: ${stamps.length}; p99 tail (total ≥ ${p99Total.toFixed(2)} ms): ${tail.length} calls`];
  lines.push("leg                                        p50 ms   p99 ms   mean in p99 tail ms");
  for (const [name, leg] of legs) {
    const sorted = stamps.map(leg).sort((a, b) => a - b);
    lines.push(`${name.padEnd(42)} ${percentile(sorted, 50).toFixed(2).padStart(7)} ${percentile(sorted, 99).toFixed(2).padStart(8)} ${mean(tail.map(leg)).toFixed(2).padStart(10)}`);
  }
  return lines.join("\n");
}

/** Shed calls' stamps in preallocated Float64Array columns, one row per call (rows past `capacity` are dropped and counted). */
function createStampTable(capacity: number): { add(...stamps: [number, number, number, number, number]): void; rows(): RejectStamps[] } {
  const columns = Array.from({ length: 5 }, () => new Float64Array(capacity));
  let count = 0;
  let dropped = 0;
  return {
    add(calledAt, requestedAt, serverStreamAt, serverRespondAt, receivedAt) {
      if (count === capacity) return void dropped++;
      const [c0, c1, c2, c3, c4] = columns as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
      c0[count] = calledAt;
      c1[count] = requestedAt;
      c2[count] = serverStreamAt;
      c3[count] = serverRespondAt;
      c4[count] = receivedAt;
      count++;
    },
    rows() {
      if (dropped > 0) console.log(`(${dropped} shed calls past the stamp table's ${capacity} rows were not stamped)`);
      const at = (column: number, row: number): number => (columns[column] as Float64Array)[row] as number;
      return Array.from({ length: count }, (_, i) => ({ calledAt: at(0, i), requestedAt: at(1, i), serverStreamAt: at(2, i), serverRespondAt: at(3, i), receivedAt: at(4, i) }));
    },
  };
}

const stallText = (s: StallReport): string =>
  `event-loop delay p99 ${s.loopDelayP99Ms.toFixed(1)} ms, max ${s.loopDelayMaxMs.toFixed(1)} ms; GC pauses ${s.gcPauseMsPerS.toFixed(0)} ms/s, ` +
  `longest ${s.gcPauseMaxMs.toFixed(1)} ms; waiting for a CPU ${s.runQueueWaitMsPerS?.toFixed(0) ?? "?"} ms/s`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      limiter: { type: "string", default: "fixed" },
      multiple: { type: "string", default: "4" },
      connections: { type: "string", default: "2" },
      "max-connections": { type: "string" },
      seconds: { type: "string", default: "3" },
      server: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.server !== undefined) return serveChild(values.server);
  if (values.help) return void console.log(USAGE);
  const limiter = values.limiter === "raw" ? "raw" : overloadLimiterOf(values.limiter);
  const multiple = Number(values.multiple);
  const connections = Number(values.connections);
  const maxConnections = Number(values["max-connections"] ?? connections);
  const seconds = Number(values.seconds);
  if (!(multiple > 0 && multiple <= 8)) throw new Error(`--multiple must be in (0, 8], got "${values.multiple}"`);
  if (!(Number.isInteger(connections) && connections >= 1)) throw new Error(`--connections must be an integer ≥ 1, got "${values.connections}"`);
  if (!(Number.isInteger(maxConnections) && maxConnections >= connections)) throw new Error(`--max-connections must be an integer ≥ --connections, got "${values["max-connections"]}"`);
  if (!(seconds > 0 && seconds <= 10)) throw new Error(`--seconds must be in (0, 10], got "${values.seconds}"`);

  const child = fork(fileURLToPath(import.meta.url), ["--server", limiter], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = <O extends ServerMessage["op"]>(op: O): Promise<Extract<ServerMessage, { op: O }>> => nextMessage<ServerMessage, O>(child, op);
  const ready = await next("ready");
  // Stamps go into preallocated columns while the load runs (objects kept to the end would survive
  // every scavenge and load this process's GC, which the figures measure), and become objects after.
  const table = createStampTable(Math.ceil(multiple * CAPACITY_PER_SEC * seconds * 1.2) + 1000);
  let recording = false;
  const caller = await createLeanCaller([ready.port], { connections, maxConnections }, (a, b, c, d, e) => recording && table.add(a, b, c, d, e));
  const phase = (m: number, durationMs: number): LoadPhase => ({
    concurrency: 20_000,
    arrivalPerSec: m * CAPACITY_PER_SEC,
    durationMs,
    timeoutMs: durationMs + 21_000,
    callArgs: { timeoutMs: 1000 },
  });
  try {
    await runOpenLoopPhase(caller, phase(0.5, 1000));
    await runOpenLoopPhase(caller, phase(multiple, 500));
    const load = loadavg().map((l) => l.toFixed(2)).join(" / ");
    recording = true;
    child.send("mark");
    const clientStalls = createStallMeter();
    const clientGc = recordGcPauses();
    const result = await runOpenLoopPhase(caller, phase(multiple, seconds * 1000));
    const client = clientStalls.stop();
    const clientPauses = clientGc.stop();
    recording = false;
    const stamps = table.rows();
    child.send("stalls");
    const server = await next("stalls");
    const o = result.openLoop!;
    const cpuShare = ((result.resources.cpu.userUs + result.resources.cpu.systemUs) / (result.elapsedMs * 1000)) * 100;
    console.log(`limiter ${limiter}, ${multiple}× capacity (${multiple * CAPACITY_PER_SEC} calls/s), ${connections}–${maxConnections} connection(s), ${seconds} s; load average at start ${load}`);
    console.log(`offered ${o.offered}, succeeded ${result.calls} (${(result.calls / (result.elapsedMs / 1000)).toFixed(0)}/s), shed ${o.rejected}, failed ${o.failed}`);
    console.log(`reject p99 as the bench reports it (open-loop histogram): ${(percentiles(decodeHistogram(o.rejectHistogram)).p99 / 1000).toFixed(2)} ms`);
    console.log(report(stamps));
    console.log(gcReport(stamps, clientPauses, server.pauses));
    console.log(`load generator: CPU ${cpuShare.toFixed(0)} % of a core; ${stallText(client)}`);
    console.log(`server: ${stallText(server.stalls)}`);
  } finally {
    await caller.close();
    child.send("close");
  }
}

await main();

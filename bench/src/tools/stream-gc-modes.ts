// One fresh process pair of the stream scenario's Sluice contender (server forked, load generator here)
// streaming in slices: per slice msgs/s, CPU µs per message and each process's scavenges and mark-compacts.
// `node [v8 flags] bench/dist/src/tools/stream-gc-modes.js [iterable|observable] [bytes] [per call] [slices]`
import { PerformanceObserver, constants, type PerformanceEntry } from "node:perf_hooks";
import { createCaller } from "../contenders/sluice-client.js";
import { startServer } from "../contenders/sluice-server.js";
import { runLoadPhase } from "../harness/load-loop.js";
import { forkServer } from "./forked-server.js";

/** Garbage collections of this process since it started. */
interface GcCounts {
  scavenges: number;
  markCompacts: number;
  /** Milliseconds paused in either. */
  pausedMs: number;
}

const counts: GcCounts = { scavenges: 0, markCompacts: 0, pausedMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as PerformanceEntry & { readonly detail?: { readonly kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) counts.scavenges++;
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) counts.markCompacts++;
    counts.pausedMs += entry.duration;
  }
}).observe({ entryTypes: ["gc"] });

type Reply = { port?: number; cpu?: number; gc?: GcCounts };

/** The server side: the stream scenario's Sluice server; answers "cpu" with its CPU µs and GC counts. */
async function runServer(): Promise<void> {
  const server = await startServer({ endpoints: 1 });
  process.send?.({ port: server.ports[0] });
  process.on("message", (m: string) => {
    if (m === "cpu") {
      const u = process.cpuUsage();
      process.send?.({ cpu: u.user + u.system, gc: { ...counts } });
    } else {
      void server.close().then(() => process.exit(0));
    }
  });
}

const delta = (after: GcCounts, before: GcCounts): string =>
  `${after.scavenges - before.scavenges} scavenges, ${after.markCompacts - before.markCompacts} mark-compacts, ${(after.pausedMs - before.pausedMs).toFixed(0)} ms`;

/** The load generator: the scenario's warm-up, the point's own, then `slices` slices of 0.5 s. */
async function runClient(style: string, bytes: number, perCall: number, slices: number): Promise<void> {
  const server = forkServer<Reply>(new URL(import.meta.url).pathname, ["server"]);
  const { port } = await server.next();
  const caller = await createCaller([port!], style === "observable" ? { protocol: "grpc", style: "observable" } : { protocol: "grpc" });
  await runLoadPhase(caller, { concurrency: 1, durationMs: 2_000, timeoutMs: 60_000, callArgs: { stream: 10_000 } });
  const args = { shape: "server", bytes, stream: perCall };
  await runLoadPhase(caller, { concurrency: 1, durationMs: 1_000, timeoutMs: 60_000, callArgs: args });
  const lines: string[] = [];
  for (let i = 0; i < slices; i++) {
    const serverBefore = await server.ask("cpu");
    const clientBefore = { ...counts };
    const result = await runLoadPhase(caller, { concurrency: 1, durationMs: 500, timeoutMs: 60_000, callArgs: args });
    const serverAfter = await server.ask("cpu");
    const cpu = result.resources.cpu;
    lines.push(
      `${Math.round((result.messages / result.elapsedMs) * 1000)} msgs/s, CPU µs/msg client ${((cpu.userUs + cpu.systemUs) / result.messages).toFixed(2)} ` +
        `server ${(((serverAfter.cpu ?? 0) - (serverBefore.cpu ?? 0)) / result.messages).toFixed(2)}; ` +
        `client ${delta(counts, clientBefore)}; server ${delta(serverAfter.gc!, serverBefore.gc!)}`,
    );
  }
  console.log(`${style}, server streaming ${bytes} B, ${perCall} per call, slices of 0.5 s:\n  ${lines.join("\n  ")}`);
  await caller.close();
  server.child.send("close");
}

if (process.argv[2] === "server") void runServer();
else void runClient(process.argv[2] ?? "iterable", Number(process.argv[3] ?? 1024), Number(process.argv[4] ?? 20_000), Number(process.argv[5] ?? 4));

// What one call costs each process of the overload bench, away from timing noise: a closed loop of
// calls at the overload server (most of them shed) and the CPU time and GC work per call on each side.
import { fork } from "node:child_process";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { nextMessage } from "./child-messages.js";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createLeanCaller } from "../contenders/lean-grpc-client.js";
import { overloadLimiterOf, startServer } from "../contenders/overload-server.js";
import type { BenchServer } from "../harness/contracts.js";
import { isShed } from "../harness/open-loop.js";

const USAGE = `usage: node [--trace-gc-nvp] bench/dist/src/tools/shed-cost.js [--limiter fixed] [--raw] [--calls 30000] [--concurrency 64]
  Runs the overload bench's server (capacity 16 × 10 ms) in a child process and keeps --concurrency
  calls in flight at it from the lean load generator here, --calls in all after a warm-up, and
  prints CPU µs per call in each process. With --trace-gc-nvp (both processes inherit it), every GC
  line between the "shed-cost: measure <pid>" and "shed-cost: done <pid>" markers is in the
  window: sum their allocated= per process and divide by the calls for the bytes one call costs.
  --raw serves with a bare node:http2 server that sheds every call the way Sluice does: the floor.`;

type ServerMessage = { op: "ready"; port: number } | { op: "done"; cpuUs: number; shed: number };

/**
 * The floor under a shed: a bare node:http2 server that answers every call as Sluice sheds one
 * (Trailers-Only RESOURCE_EXHAUSTED, then RST_STREAM NO_ERROR instead of reading the body) and
 * does nothing else: what node's own ServerHttp2Stream costs per call.
 */
async function startRawShedServer(): Promise<BenchServer> {
  const server = http2.createServer();
  const headers = { ":status": 200, "content-type": "application/grpc", "grpc-status": "8", "grpc-message": "shed", "grpc-retry-pushback-ms": "10" };
  const close = (stream: http2.ServerHttp2Stream): void => void (!stream.destroyed && stream.close(http2.constants.NGHTTP2_NO_ERROR));
  let shed = 0;
  server.on("stream", (stream) => {
    stream.on("error", () => {});
    stream.respond(headers, { endStream: true });
    shed++;
    setImmediate(close, stream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  let shedAtMark = 0;
  return {
    ports: [(server.address() as AddressInfo).port],
    mark: () => void (shedAtMark = shed),
    gauges: () => ({ shed: shed - shedAtMark }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The child: the overload server (or the bare one with `raw`); 'mark' starts its CPU count, 'done' reports it. */
async function serveChild(limiter: string, raw: boolean): Promise<void> {
  const server = raw ? await startRawShedServer() : await startServer({ limiter });
  let cpuAtMark = 0;
  const cpu = (): number => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  process.on("message", (message: unknown) => {
    if (message === "mark") {
      server.mark?.();
      console.log(`shed-cost: measure ${process.pid}`);
      cpuAtMark = cpu();
    } else if (message === "done") {
      const cpuUs = cpu() - cpuAtMark;
      console.log(`shed-cost: done ${process.pid}`);
      const shed = server.gauges?.()["shed"] ?? 0;
      process.send?.({ op: "done", cpuUs, shed } satisfies ServerMessage);
    } else if (message === "close") void server.close().then(() => process.exit(0));
  });
  process.send?.({ op: "ready", port: server.ports[0] as number } satisfies ServerMessage);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      limiter: { type: "string", default: "fixed" },
      calls: { type: "string", default: "30000" },
      concurrency: { type: "string", default: "64" },
      raw: { type: "boolean", default: false },
      server: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.server !== undefined) return serveChild(values.server, values.raw === true);
  if (values.help) return void console.log(USAGE);
  const limiter = overloadLimiterOf(values.limiter);
  const calls = Number(values.calls);
  const concurrency = Number(values.concurrency);
  if (!(Number.isInteger(calls) && calls >= 1000 && calls <= 1_000_000)) throw new Error(`--calls must be an integer in [1000, 1000000], got "${values.calls}"`);
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 1000)) throw new Error(`--concurrency must be an integer in [1, 1000], got "${values.concurrency}"`);

  const child = fork(fileURLToPath(import.meta.url), ["--server", limiter, ...(values.raw === true ? ["--raw"] : [])], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = <O extends ServerMessage["op"]>(op: O): Promise<Extract<ServerMessage, { op: O }>> => nextMessage<ServerMessage, O>(child, op);
  const ready = await next("ready");
  const caller = await createLeanCaller([ready.port], { connections: 2, maxConnections: 2 });
  let shedSeen = 0;
  /** Runs `total` calls, `concurrency` at a time, each started when one ends. */
  const run = async (total: number): Promise<void> => {
    let started = 0;
    const worker = async (): Promise<void> => {
      while (started < total) {
        started++;
        await caller.call({ timeoutMs: 1000 }).catch((error: unknown) => void (isShed(error) && shedSeen++));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };
  try {
    await run(Math.min(10_000, calls));
    const load = loadavg().map((l) => l.toFixed(2)).join(" / ");
    shedSeen = 0;
    child.send("mark");
    await new Promise((resolve) => setTimeout(resolve, 50)); // the child's marker line goes out first
    console.log(`shed-cost: measure ${process.pid}`);
    const cpuBefore = process.cpuUsage();
    const t0 = performance.now();
    await run(calls);
    const elapsedMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpuBefore);
    console.log(`shed-cost: done ${process.pid}`);
    child.send("done");
    const done = await next("done");
    console.log(`${values.raw === true ? "bare node:http2 server shedding every call" : `limiter ${limiter}`}, ${calls} calls, ${concurrency} in flight, ${(calls / (elapsedMs / 1000)).toFixed(0)} calls/s; load average at start ${load}`);
    console.log(`shed ${shedSeen} (${((shedSeen / calls) * 100).toFixed(1)} %; server counted ${done.shed})`);
    console.log(`CPU per call: load generator (pid ${process.pid}) ${((cpu.user + cpu.system) / calls).toFixed(1)} µs, server (pid ${child.pid}) ${(done.cpuUs / calls).toFixed(1)} µs`);
  } finally {
    await caller.close();
    child.send("close");
  }
}

await main();

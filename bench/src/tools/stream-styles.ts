// Compares two stream contenders of the stream scenario in alternating short slices within one process
// pair each (servers forked, load generators here): msgs/s, CPU µs and async resources per message.
// `node bench/dist/src/tools/stream-styles.js [--pair d,e] [--shape bidi-pingpong] [--bytes 16] [--per-call 5000] [--slice-ms 500] [--pairs 6]`
import { createHook } from "node:async_hooks";
import { parseArgs } from "node:util";
import type { BenchCaller, CreateCaller, StartServer } from "../harness/contracts.js";
import { runLoadPhase } from "../harness/load-loop.js";
import { median } from "../harness/stats.js";
import type { JsonObject } from "../harness/scenario.js";
import { createCaller as sluiceCaller } from "../contenders/sluice-client.js";
import { createCaller as rawCaller } from "../contenders/raw-stream-client.js";
import { startServer as sluiceServer } from "../contenders/sluice-server.js";
import { startServer as rawServer } from "../contenders/raw-stream-server.js";
import { answerParent, forkServer, type ForkedServer } from "./forked-server.js";

/** The contenders this tool can pair: their server, load generator and its options, as in stream.ts. */
const CONTENDERS: Record<string, { server: "sluice" | "raw"; client: CreateCaller; options: JsonObject }> = {
  d: { server: "sluice", client: sluiceCaller, options: { protocol: "grpc" } },
  e: { server: "sluice", client: sluiceCaller, options: { protocol: "grpc", style: "observable" } },
  r: { server: "raw", client: rawCaller, options: {} },
};

type Reply = { port?: number; cpu?: number };

/** The server side: the named server module; answers "cpu" with its CPU time in µs. */
async function runServer(kind: string): Promise<void> {
  const start: StartServer = kind === "raw" ? rawServer : sluiceServer;
  answerParent(await start({ endpoints: 1 }));
}

/** Async resources created, by type, while counting is on (it costs time: counted in slices of their own). */
const created = new Map<string, number>();
const counter = createHook({ init: (_id, type) => void created.set(type, (created.get(type) ?? 0) + 1) });

/** One contender of the pair: its forked server and its load generator in this process. */
interface Side {
  readonly id: string;
  readonly server: ForkedServer<Reply>;
  readonly caller: BenchCaller;
}

async function openSide(id: string): Promise<Side> {
  const spec = CONTENDERS[id];
  if (spec === undefined) throw new Error(`--pair: unknown contender "${id}"; accepted: ${Object.keys(CONTENDERS).join(", ")}`);
  const server = forkServer<Reply>(new URL(import.meta.url).pathname, ["server", spec.server]);
  const { port } = await server.next();
  return { id, server, caller: await spec.client([port!], spec.options) };
}

/** One slice of `ms` on `side`: msgs/s and CPU µs per message of both processes. */
async function slice(side: Side, args: JsonObject, ms: number): Promise<{ rate: number; client: number; server: number }> {
  const serverBefore = (await side.server.ask("cpu")).cpu ?? 0;
  const result = await runLoadPhase(side.caller, { concurrency: 1, durationMs: ms, timeoutMs: 60_000, callArgs: args });
  const serverCpu = ((await side.server.ask("cpu")).cpu ?? 0) - serverBefore;
  const cpu = result.resources.cpu;
  return {
    rate: (result.messages / result.elapsedMs) * 1000,
    client: (cpu.userUs + cpu.systemUs) / result.messages,
    server: serverCpu / result.messages,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pair: { type: "string", default: "d,e" },
      shape: { type: "string", default: "bidi-pingpong" },
      bytes: { type: "string", default: "16" },
      "per-call": { type: "string", default: "5000" },
      "slice-ms": { type: "string", default: "500" },
      pairs: { type: "string", default: "6" },
    },
  });
  const [a, b] = (values.pair ?? "").split(",");
  if (a === undefined || b === undefined) throw new Error(`--pair must name two contenders, e.g. d,e; got "${values.pair}"`);
  const args: JsonObject = { shape: values.shape!, bytes: Number(values.bytes), stream: Number(values["per-call"]) };
  const sliceMs = Number(values["slice-ms"]);
  const sides = [await openSide(a), await openSide(b)];
  for (const side of sides) await runLoadPhase(side.caller, { concurrency: 1, durationMs: 1500, timeoutMs: 60_000, callArgs: args });
  const ratios: number[] = [];
  const lines: string[] = [];
  for (let i = 0; i < Number(values.pairs); i++) {
    // Alternate which side goes first, so a drift within a pair hits both alike.
    const order = i % 2 === 0 ? sides : [...sides].reverse();
    const got = new Map<string, Awaited<ReturnType<typeof slice>>>();
    for (const side of order) got.set(side.id, await slice(side, args, sliceMs));
    const x = got.get(a)!;
    const y = got.get(b)!;
    ratios.push(y.rate / x.rate);
    const show = (id: string, s: typeof x): string => `${id} ${Math.round(s.rate)} msgs/s (CPU µs/msg client ${s.client.toFixed(2)}, server ${s.server.toFixed(2)})`;
    lines.push(`${show(a, x)} · ${show(b, y)} · ${b}/${a} ${(y.rate / x.rate).toFixed(2)}×`);
  }
  // Async resources per message, each side in a counted slice of its own (the hook slows it).
  const perMessage: string[] = [];
  for (const side of sides) {
    created.clear();
    counter.enable();
    const result = await runLoadPhase(side.caller, { concurrency: 1, maxCalls: 1, timeoutMs: 60_000, callArgs: args });
    counter.disable();
    const top = [...created].sort((p, q) => q[1] - p[1]).map(([type, n]) => `${type} ${(n / result.messages).toFixed(2)}`);
    perMessage.push(`${side.id}: ${top.join(", ")}`);
  }
  console.log(
    `${values.shape} ${values.bytes} B, ${values["per-call"]} per call, slices of ${sliceMs} ms:\n  ${lines.join("\n  ")}\n` +
      `median ${b}/${a}: ${median(ratios).toFixed(2)}×\nasync resources created per message:\n  ${perMessage.join("\n  ")}`,
  );
  for (const side of sides) {
    await side.caller.close();
    side.server.child.send("close");
  }
}

if (process.argv[2] === "server") void runServer(process.argv[3] ?? "sluice");
else void main();

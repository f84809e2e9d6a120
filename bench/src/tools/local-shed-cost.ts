// What a call shed at the caller costs: Sluice's generated client over a channel whose
// per-endpoint limit is full, timing and counting the bytes each locally shed call allocates.
import { create } from "@bufbuild/protobuf";
import { createChannel, serve, unimplemented } from "@sluice/runtime";
import { parseArgs } from "node:util";
import { getHeapStatistics } from "node:v8";
import { EchoRequestSchema, EchoResponseSchema } from "../../gen/bench/v1/echo_pb.js";
import { createEchoServiceClient, registerEchoService } from "../../gen/bench/v1/echo_sluice.js";
import { isShed } from "../harness/open-loop.js";

const USAGE = `usage: node --expose-gc bench/dist/src/tools/local-shed-cost.js [--calls 200000] [--batch 1000]
  Serves an Echo that never answers on 127.0.0.1, opens a channel with endpointLimit fixed 1, holds
  one call in flight so the limit is full, then sheds --calls calls at the caller in batches of
  --batch at once, and prints µs of CPU per shed and the heap bytes one shed allocates (the heap's
  growth over a batch no GC interrupted; run with --max-semi-space-size=64 so most are not).`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { calls: { type: "string" }, batch: { type: "string" }, help: { type: "boolean" } } });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const calls = Number(values.calls ?? 200_000);
  const batch = Number(values.batch ?? 1000);
  if (!(Number.isInteger(calls) && calls > 0)) throw new Error(`--calls must be an integer > 0, got ${values.calls}`);
  if (!(Number.isInteger(batch) && batch > 0)) throw new Error(`--batch must be an integer > 0, got ${values.batch}`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with node --expose-gc");
  const server = await serve({
    port: 0,
    host: "127.0.0.1",
    shutdownGraceMs: 0,
    health: false,
    routes: (router) =>
      registerEchoService(router, {
        async echo(_request, context) {
          await new Promise((resolve) => context.signal.addEventListener("abort", resolve));
          return create(EchoResponseSchema, {});
        },
        echoStream: unimplemented,
        echoUpload: unimplemented,
        echoBidi: unimplemented,
      }),
  });
  const channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, endpointLimit: { algorithm: "fixed", limit: 1 } });
  await channel.waitForReady(5000);
  const client = createEchoServiceClient(channel);
  const request = create(EchoRequestSchema, {});
  const held = new AbortController();
  const holding = client.echo(request, { signal: held.signal }).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 50));
  let shed = 0;
  let other = 0;
  const round = async (): Promise<void> => {
    const pending: Promise<void>[] = [];
    for (let i = 0; i < batch; i++) {
      pending.push(
        client.echo(request, { timeoutMs: 250 }).then(
          () => void other++,
          (error: unknown) => void (isShed(error) ? shed++ : other++),
        ),
      );
    }
    await Promise.all(pending);
  };
  for (let i = 0; i < 20; i++) await round(); // warm-up
  shed = 0;
  other = 0;
  gc();
  // Bytes per round: the heap's growth over a round that no scavenge interrupted (median).
  const grew: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let done = 0; done < calls; done += batch) {
    const before = getHeapStatistics().used_heap_size;
    await round();
    const after = getHeapStatistics().used_heap_size;
    if (after > before) grew.push(after - before);
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  grew.sort((a, b) => a - b);
  const perShed = (x: number): string => (x / Math.max(1, shed)).toFixed(2);
  const perCall = (x: number): string => (x / batch).toFixed(0);
  process.stdout.write(
    `local sheds ${shed}, other outcomes ${other}; wall ${perShed(wallMs * 1000)} µs/shed, CPU ${perShed(cpu.user + cpu.system)} µs/shed, ` +
      `heap growth ${grew.length > 0 ? perCall(grew[grew.length >> 1] as number) : "–"} B/shed (median of ${grew.length} rounds without a GC)\n`,
  );
  held.abort();
  await holding;
  await channel.close(100);
  await server.close();
}

await main();

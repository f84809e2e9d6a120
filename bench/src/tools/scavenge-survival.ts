// What a load generator allocates per call and how much of it survives a scavenge (V8's sampling heap
// profiler), at the tail scenario's 200 calls/s: `node bench/dist/src/tools/scavenge-survival.js [client] [seconds]`.
import { Session } from "node:inspector/promises";
import type { CreateCaller } from "../harness/contracts.js";
import { runOpenLoopPhase } from "../harness/open-loop.js";
import type { LoadPhase, ProcessSpec } from "../harness/scenario.js";
import { startWorker } from "../harness/worker-handle.js";

/** A load generator to measure and the server it calls. */
interface Subject {
  readonly server: ProcessSpec;
  readonly client: ProcessSpec;
}

const tailServer: ProcessSpec = { module: "contenders/tail-server.js", options: { backends: 4, fastMs: 1, hiccupMs: 100, hiccupRate: 0.01 } };

/** The clients this tool knows, by name. */
export const subjects: Readonly<Record<string, Subject>> = {
  "raw-http2": { server: { module: "contenders/raw-http2-server.js" }, client: { module: "contenders/raw-http2-client.js" } },
  "sluice-none": { server: tailServer, client: { module: "contenders/sluice-attempts-client.js", options: { mode: "none" } } },
  "sluice-adaptive": {
    server: tailServer,
    client: { module: "contenders/sluice-attempts-client.js", options: { mode: "adaptive", percentile: 98, hedgeDelayMs: 10 } },
  },
};

/** Bytes per call: all allocated, and the part still alive at the next scavenge. */
export interface SurvivalFigures {
  readonly calls: number;
  readonly allocatedPerCall: number;
  readonly survivingPerCall: number;
}

/** Sampling interval of the heap profiler, bytes. */
const SAMPLING_BYTES = 2048;

function phase(durationMs: number): LoadPhase {
  return { concurrency: 256, arrivalPerSec: 200, durationMs, timeoutMs: durationMs + 30_000, callArgs: {} };
}

/** Sums the sampled bytes of a profile's tree. */
function sampledBytes(node: { readonly selfSize: number; readonly children: readonly unknown[] }): number {
  let total = node.selfSize;
  for (const child of node.children) total += sampledBytes(child as typeof node);
  return total;
}

/**
 * Runs `subject`'s client in this process against its server in a child: a warm-up, then one window
 * sampling every allocation and one sampling only what survives a scavenge (what minor GCs collect is
 * left out), each `seconds` long.
 */
export async function measureSurvival(subject: Subject, seconds: number): Promise<SurvivalFigures> {
  const server = startWorker([]);
  try {
    const { ports } = await server.request({ op: "start-server", spec: subject.server }, 30_000);
    const { createCaller } = (await import(new URL(`../${subject.client.module}`, import.meta.url).href)) as { createCaller: CreateCaller };
    const caller = await createCaller(ports, subject.client.options ?? {});
    const session = new Session();
    session.connect();
    try {
      await runOpenLoopPhase(caller, phase(2_000));
      await session.post("HeapProfiler.enable");
      const window = async (includeMinor: boolean): Promise<{ bytes: number; calls: number }> => {
        await session.post("HeapProfiler.startSampling", {
          samplingInterval: SAMPLING_BYTES,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: includeMinor,
        });
        const result = await runOpenLoopPhase(caller, phase(seconds * 1000));
        const { profile } = await session.post("HeapProfiler.stopSampling");
        return { bytes: sampledBytes(profile.head), calls: result.calls };
      };
      const all = await window(true);
      const surviving = await window(false);
      return { calls: all.calls + surviving.calls, allocatedPerCall: all.bytes / all.calls, survivingPerCall: surviving.bytes / surviving.calls };
    } finally {
      session.disconnect();
      await caller.close();
    }
  } finally {
    await server.stop(5_000);
  }
}

const name = process.argv[2] ?? "raw-http2";
const subject = subjects[name];
if (subject === undefined) {
  console.error(`client must be one of ${Object.keys(subjects).join(", ")}, got "${name}"`);
  process.exit(2);
}
const seconds = Number(process.argv[3] ?? 8);
if (!(Number.isFinite(seconds) && seconds > 0)) {
  console.error(`seconds must be a number > 0, got "${process.argv[3]}"`);
  process.exit(2);
}
const figures = await measureSurvival(subject, seconds);
console.log(
  `${name}: ${(figures.allocatedPerCall / 1000).toFixed(1)} KB allocated per call, ${(figures.survivingPerCall / 1000).toFixed(1)} KB of it ` +
    `alive at the next scavenge (${((100 * figures.survivingPerCall) / figures.allocatedPerCall).toFixed(0)} %); 200 calls/s, ` +
    `${seconds} s per window, sampled every ${SAMPLING_BYTES} B`,
);
process.exit(0);

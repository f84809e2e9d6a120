// Scenario "cache": hit ratios of every Sluice eviction policy, lru-cache and Belady's optimum on the
// published traces and seeded synthetic ones; get+set throughput, cost per request, and call costs.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { copyStrategies } from "@sluice/runtime";
import { beladyHits } from "../cache/belady.js";
import { measureCallCosts } from "../cache/call-cost.js";
import { perfectLfuHits } from "../cache/perfect-lfu.js";
import { MIN_TIMED_REQUESTS, policiesUnderTest, replay, timedReplay } from "../cache/policies.js";
import { loadTrace, scanPollutedTrace, seededRandom, shiftingTrace, zipfTrace, type Trace } from "../cache/traces.js";
import type { ScenarioMode } from "../harness/scenario.js";
import type { SimulationScenario } from "../harness/simulation.js";
import { median } from "../harness/stats.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
/** Where CI and this machine keep the traces: ../shared/traces from the repository root. */
const tracesDir = resolve(repoRoot, "../shared/traces");

/** Published hit % of the traces README (LRU, ARC per the ARC paper, Caffeine 3.2.2, Belady). */
const published: Record<string, { lru: number; arc: number; caffeine: number; opt: number }> = {
  "gli@1000": { lru: 11.21, arc: 21.3, caffeine: 42.13, opt: 53.15 },
  "gli@1500": { lru: 36.56, arc: 50.44, caffeine: 53.2, opt: 57.96 },
  "loop@500": { lru: 0, arc: 0, caffeine: 48.62, opt: 49.36 },
  "multi2@1000": { lru: 47.8, arc: 50.75, caffeine: 57.98, opt: 62.16 },
  "OLTP@1000": { lru: 32.83, arc: 38.95, caffeine: 40.02, opt: 53.62 },
  "OLTP@2000": { lru: 42.47, arc: 46.08, caffeine: 46.34, opt: 60.4 },
};
const realPoints: ReadonlyArray<readonly [string, readonly number[]]> = [["gli", [1000, 1500]], ["loop", [500]], ["multi2", [1000]], ["OLTP", [1000, 2000]]];
const KEY_SPACE = 100_000;
const syntheticCapacities = [100, 1000, 10_000]; // 0.1 %, 1 %, 10 % of the key space

function syntheticTraces(length: number): Trace[] {
  return [
    zipfTrace("zipf-0.8", KEY_SPACE, 0.8, length, 11),
    zipfTrace("zipf-0.99", KEY_SPACE, 0.99, length, 12),
    zipfTrace("zipf-1.2", KEY_SPACE, 1.2, length, 13),
    scanPollutedTrace("zipf-0.99+scans", KEY_SPACE, 0.99, length, 20_000, 5_000, 14),
    shiftingTrace("shifting-zipf-0.99", KEY_SPACE, 0.99, length, Math.floor(length / 10), 15),
  ];
}

/** Figures of one (trace, capacity). */
interface PointResult {
  readonly trace: string;
  readonly capacity: number;
  readonly requests: number;
  readonly real: boolean;
  /** Hit % per policy id (median over seeds for randomized policies), "perfectLfu" and "belady". */
  readonly hitPct: Record<string, number>;
  /** Median ns per request (get + set on a miss) per timed policy. */
  readonly nsPerRequest: Record<string, number>;
}

const TIMED = new Set(["tinylfu", "lru-cache"]);

function measurePoint(trace: Trace, capacity: number, runs: number, real: boolean): PointResult {
  const hitPct: Record<string, number> = {};
  const nsPerRequest: Record<string, number> = {};
  const hits = new Map(policiesUnderTest.map((p) => [p.id, [] as number[]]));
  const times = new Map(policiesUnderTest.map((p) => [p.id, [] as number[]]));
  // Runs take turns (every policy's first run, then the second…), so that the timed policies see
  // the same machine load and garbage from earlier replays.
  for (let run = 0; run < runs; run++) {
    for (const policy of policiesUnderTest) {
      if (run > 0 && !policy.randomized && !TIMED.has(policy.id)) continue;
      const create = () => policy.create(capacity, seededRandom(1000 + run));
      if (TIMED.has(policy.id)) {
        const result = timedReplay(create, trace.keys);
        hits.get(policy.id)!.push(result.hits);
        times.get(policy.id)!.push(result.nsPerRequest);
      } else {
        const result = replay(create(), trace.keys);
        hits.get(policy.id)!.push(result.hits);
        times.get(policy.id)!.push(result.ns / trace.keys.length);
      }
    }
  }
  for (const policy of policiesUnderTest) {
    hitPct[policy.id] = (100 * median(hits.get(policy.id)!)) / trace.keys.length;
    nsPerRequest[policy.id] = median(times.get(policy.id)!);
  }
  hitPct.perfectLfu = (100 * perfectLfuHits(trace.keys, capacity)) / trace.keys.length;
  hitPct.belady = (100 * beladyHits(trace.keys, capacity)) / trace.keys.length;
  return { trace: trace.name, capacity, requests: trace.keys.length, real, hitPct, nsPerRequest };
}

const f2 = (n: number): string => n.toFixed(2);
const row = (cells: readonly (string | number)[]): string => `| ${cells.join(" | ")} |`;

function hitTable(points: readonly PointResult[], withPublished: boolean): string {
  const ids = policiesUnderTest.map((p) => p.id);
  const header = ["trace @ size", ...policiesUnderTest.map((p) => p.label), "perfect-history LFU (oracle)", "Belady (optimum)", ...(withPublished ? ["published LRU / ARC / Caffeine / opt"] : [])];
  const lines = [row(header), row(header.map((_, i) => (i === 0 ? "---" : "---:")))];
  for (const p of points) {
    const key = `${p.trace}@${p.capacity}`;
    const best = Math.max(...ids.map((id) => p.hitPct[id]!));
    const pub = published[key];
    lines.push(
      row([
        `${p.trace} @ ${p.capacity.toLocaleString("en-US")}`,
        ...ids.map((id) => (p.hitPct[id] === best ? `**${f2(p.hitPct[id]!)}**` : f2(p.hitPct[id]!))),
        f2(p.hitPct.perfectLfu!),
        f2(p.hitPct.belady!),
        ...(withPublished ? [pub ? `${f2(pub.lru)} / ${f2(pub.arc)} / ${f2(pub.caffeine)} / ${f2(pub.opt)}` : "–"] : []),
      ]),
    );
  }
  return lines.join("\n");
}

function costTable(points: readonly PointResult[], uncachedUs: number): string {
  const header = ["trace @ size", "W-TinyLFU Mreq/s", "lru-cache Mreq/s", "throughput ratio", "W-TinyLFU µs/request incl. misses", "lru-cache µs/request incl. misses"];
  const lines = [row(header), row(header.map((_, i) => (i === 0 ? "---" : "---:")))];
  for (const p of points) {
    const c = cost(p, uncachedUs);
    lines.push(row([`${p.trace} @ ${p.capacity.toLocaleString("en-US")}`, f2(1e3 / p.nsPerRequest.tinylfu!), f2(1e3 / p.nsPerRequest["lru-cache"]!), `${f2(p.nsPerRequest["lru-cache"]! / p.nsPerRequest.tinylfu!)}×`, f2(c.tinylfu), f2(c.lruCache)]));
  }
  return lines.join("\n");
}

/** µs per request: the cache's own time plus misses × the cost of one uncached call. */
function cost(p: PointResult, uncachedUs: number): { tinylfu: number; lruCache: number } {
  const of = (id: string): number => p.nsPerRequest[id]! / 1000 + (1 - p.hitPct[id]! / 100) * uncachedUs;
  return { tinylfu: of("tinylfu"), lruCache: of("lru-cache") };
}

/** One goal line with its verdict. */
function goal(met: boolean, text: string, detail: string): string {
  return `- ${met ? "✅ met" : "❌ not met"}: ${text}. ${detail}`;
}

function goals(real: readonly PointResult[], synthetic: readonly PointResult[], uncachedUs: number, hitCpuUs: number, layerCpuUs: number): string[] {
  const out: string[] = [];
  const misses: string[] = [];
  for (const p of real) {
    const pub = published[`${p.trace}@${p.capacity}`]!;
    for (const [id, ref] of [["lru", pub.lru], ["arc", pub.arc]] as const) {
      const d = Math.abs(p.hitPct[id]! - ref);
      if (d > 0.05) misses.push(`${id} ${p.trace}@${p.capacity}: ${f2(p.hitPct[id]!)} vs ${f2(ref)}`);
    }
  }
  out.push(goal(misses.length === 0, "Sluice LRU and ARC reproduce the published LRU and ARC columns within 0.05 points", misses.length === 0 ? `all ${real.length * 2} figures within 0.05` : misses.join("; ")));

  const within: string[] = [];
  let withinMet = true;
  for (const p of real) {
    const pub = published[`${p.trace}@${p.capacity}`]!;
    const bar = Math.max(pub.lru, pub.arc, pub.caffeine, p.hitPct.lru!, p.hitPct.arc!) - 1;
    const ok = p.hitPct.tinylfu! >= bar;
    withinMet &&= ok;
    within.push(`${p.trace}@${p.capacity}: ${f2(p.hitPct.tinylfu!)} vs best ${f2(bar + 1)}${ok ? "" : " ✗"}`);
  }
  out.push(goal(withinMet, "default policy within 1 point of the best of LRU, ARC and Caffeine's published figure on every README trace", within.join("; ")));
  const above = ["gli@1000", "multi2@1000", "OLTP@1000"].map((k) => {
    const p = real.find((r) => `${r.trace}@${r.capacity}` === k);
    return { k, p, ok: p !== undefined && p.hitPct.tinylfu! > published[k]!.caffeine };
  });
  out.push(goal(above.every((a) => a.ok), "default policy above Caffeine's published figure on gli, multi2 and OLTP @ 1,000", above.map((a) => `${a.k}: ${a.p ? f2(a.p.hitPct.tinylfu!) : "–"} vs ${f2(published[a.k]!.caffeine)}${a.ok ? "" : " ✗"}`).join("; ")));

  const below = synthetic.filter((p) => p.hitPct.tinylfu! < Math.max(p.hitPct.lru!, p.hitPct.arc!));
  out.push(goal(below.length === 0, "on the synthetic traces the default policy is never below Sluice LRU and ARC", below.length === 0 ? "never below" : below.map((p) => `${p.trace}@${p.capacity}: ${f2(p.hitPct.tinylfu!)} vs ${f2(Math.max(p.hitPct.lru!, p.hitPct.arc!))}`).join("; ")));
  const z = synthetic.find((p) => p.trace === "zipf-0.99" && p.capacity === 1000);
  out.push(
    goal(
      z !== undefined && z.hitPct.belady! - z.hitPct.tinylfu! <= 5,
      "within 5 points of the optimum on Zipf 0.99 at 1 %",
      z ? `${f2(z.hitPct.tinylfu!)} vs optimum ${f2(z.hitPct.belady!)}; the perfect-history LFU, which counts every key ever seen exactly, reaches ${f2(z.hitPct.perfectLfu!)}` : "not measured",
    ),
  );

  const all = [...real, ...synthetic];
  const slow = all.filter((p) => p.nsPerRequest["lru-cache"]! / p.nsPerRequest.tinylfu! < 0.5);
  const ratios = all.map((p) => p.nsPerRequest["lru-cache"]! / p.nsPerRequest.tinylfu!);
  out.push(goal(slow.length === 0, "default policy's get + set throughput ≥ 0.5× lru-cache's on every trace", `ratios ${f2(Math.min(...ratios))}× to ${f2(Math.max(...ratios))}×${slow.length ? `; below: ${slow.map((p) => `${p.trace}@${p.capacity}`).join(", ")}` : ""}`));
  const dear = all.filter((p) => cost(p, uncachedUs).tinylfu >= cost(p, uncachedUs).lruCache);
  out.push(goal(dear.length === 0, `default policy's cost per request incl. misses (uncached call ${f2(uncachedUs)} µs) below lru-cache's on every trace`, dear.length === 0 ? "below on all" : `not below on ${dear.map((p) => `${p.trace}@${p.capacity}`).join(", ")}`));
  out.push(goal(hitCpuUs <= 5, "a cache hit through the generated client costs ≤ 5 µs of CPU", `${f2(hitCpuUs)} µs (default copy, generated client over a Sluice channel); the layer alone ${f2(layerCpuUs)} µs`));
  return out;
}

/** The `cache` scenario. */
export const cacheScenario: SimulationScenario = {
  name: "cache",
  title: "Response cache: hit ratios, throughput and cost per request",
  kind: "simulation",
  description:
    "Each trace is replayed in-process through each cache: one get per request and a set (size 1, no TTL) after each miss; hit % counts cold misses. " +
    "Real traces come from ../shared/traces (LIRS and ARC formats, see its README; OLTP is the ARC paper's trace, Megiddo & Modha, FAST '03); " +
    "synthetic ones are seeded: Zipf s = 0.8 / 0.99 / 1.2 over 100k keys, Zipf 0.99 with a 5,000-key scan of new keys every 20,000 requests, and Zipf 0.99 whose popular set is reshuffled ten times. " +
    "W-TinyLFU is randomised (hash seed, 1-in-128 admission of warm candidates), so its hit % is the median over runs with different seeds; Belady's optimum may decline to admit. " +
    "The perfect-history LFU is an online oracle: it knows the exact count of every key seen so far (memory for the whole key space, no aging) and keeps the most requested keys; on the independent Zipf requests no frequency-learning policy has better information. " +
    `Mreq/s is from the CPU time (user + system) of whole replays (get + set on a miss), the runs of W-TinyLFU and lru-cache taking turns; a trace shorter than ${MIN_TIMED_REQUESTS.toLocaleString("en-US")} requests (gli and multi2; in quick runs also the cut loop and OLTP) is replayed once untimed to warm up the JIT and then, timed, as many times as it takes to cover ${MIN_TIMED_REQUESTS.toLocaleString("en-US")} requests (a fresh cache each time), so that its figure measures compiled code rather than JIT warm-up; ` +
    "cost per request adds the miss ratio × the CPU time of one uncached unary call over 127.0.0.1 (connect-node client and server in this process; CPU time, as wall time on this shared machine mostly measures waiting). " +
    "The hit loops call the generated EchoService client (its Echo cached by a client override) over a Sluice channel, every call a hit, and the cache layer's transport directly.",
  async run(mode: ScenarioMode, runs: number, step: (label: string) => void) {
    const quick = mode.quick;
    const sections: string[] = [];
    const real: PointResult[] = [];
    if (!existsSync(tracesDir)) {
      sections.push(`**Real traces skipped: ${tracesDir} is absent** (CI keeps them at ../shared/traces relative to the repository root).`, "");
    } else {
      for (const [name, capacities] of realPoints) {
        const trace = loadTrace(tracesDir, name);
        if (trace === undefined) {
          sections.push(`**Trace ${name} skipped: its file is absent from ${tracesDir}.**`, "");
          continue;
        }
        // Quick runs keep the small traces whole and cut the large ones, so their figures differ from the README's.
        const cut = quick && trace.keys.length > 50_000 ? { ...trace, keys: trace.keys.subarray(0, 50_000) } : trace;
        for (const capacity of capacities) {
          step(`${name} @ ${capacity}`);
          real.push(measurePoint(cut, capacity, runs, true));
        }
      }
    }
    const synthetic: PointResult[] = [];
    for (const trace of syntheticTraces(quick ? 100_000 : 1_000_000)) {
      for (const capacity of syntheticCapacities) {
        step(`${trace.name} @ ${capacity}`);
        synthetic.push(measurePoint(trace, capacity, runs, false));
      }
    }
    step("call costs");
    const costs = await measureCallCosts(quick ? 300 : 3000, quick ? 30_000 : 300_000);
    const hitCpu = costs.hits.copy.cpuUsPerCall;
    const uncachedUs = costs.uncached.cpuUsPerCall;
    if (real.length > 0) sections.push("### Hit % on the published traces", "", hitTable(real, true), "");
    sections.push("### Hit % on synthetic traces (100k keys)", "", hitTable(synthetic, false), "");
    sections.push("### Throughput and cost per request (default policy vs lru-cache)", "", costTable([...real, ...synthetic], uncachedUs), "");
    const costRow = (label: string, cost: { callsPerSec: number; cpuUsPerCall: number }) => row([label, Math.round(cost.callsPerSec).toLocaleString("en-US"), f2(cost.cpuUsPerCall)]);
    const cheapest = copyStrategies.reduce((a, b) => (costs.hits[b].cpuUsPerCall < costs.hits[a].cpuUsPerCall ? b : a));
    sections.push(
      "### Cost of a call",
      "",
      "Sequential calls of `Echo` (98-byte payload) with client and server in this process; CPU µs per call from `process.cpuUsage` (each loop warmed up, then three rounds running every loop in turn; the median round).",
      "",
      row(["call", "calls/s", "CPU µs/call"]),
      row(["---", "---:", "---:"]),
      costRow("uncached: Connect's `createClient` + connect-node transport", costs.uncached),
      costRow("uncached: generated client over a Sluice channel (cache off)", costs.uncachedGenerated),
      costRow("**cache hit: generated client over a Sluice channel, copy = copy (default, `copyMessage`)**", costs.hits.copy),
      costRow("cache hit: generated client, copy = decode (`fromBinary` of kept bytes)", costs.hits.decode),
      costRow("cache hit: generated client, copy = clone (protobuf-es `clone`)", costs.hits.clone),
      costRow("cache hit: generated client, channel with token credentials (in the key), default copy", costs.hitWithCredentials),
      costRow("cache hit: the cache layer's `unary` called directly, default copy", costs.layerHit),
      "",
      `The cheapest copy in this run: \`${cheapest}\`.`,
      "",
    );
    sections.push("### Goals", "", ...goals(real, synthetic, uncachedUs, hitCpu, costs.layerHit.cpuUsPerCall), "");
    return { markdown: sections.join("\n"), data: JSON.parse(JSON.stringify({ real, synthetic, costs })) };
  },
};

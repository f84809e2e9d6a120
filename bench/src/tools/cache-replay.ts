// Replays cache traces through chosen policies and prints hit % and CPU ns per request next to lru-cache:
// the quick loop for tuning a policy. Usage: node bench/dist/src/tools/cache-replay.js [trace@size …] [--policies a,b] [--runs n]
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { policiesUnderTest, timedReplay } from "../cache/policies.js";
import { loadTrace, scanPollutedTrace, seededRandom, shiftingTrace, zipfTrace, type Trace } from "../cache/traces.js";
import { median } from "../harness/stats.js";

const tracesDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../../shared/traces");
const KEY_SPACE = 100_000;

/** Builds trace `name`: a published one from ../shared/traces or a seeded synthetic one of `length` requests. */
function traceNamed(name: string, length: number): Trace {
  switch (name) {
    case "zipf-0.8":
      return zipfTrace(name, KEY_SPACE, 0.8, length, 11);
    case "zipf-0.99":
      return zipfTrace(name, KEY_SPACE, 0.99, length, 12);
    case "zipf-1.2":
      return zipfTrace(name, KEY_SPACE, 1.2, length, 13);
    case "zipf-0.99+scans":
      return scanPollutedTrace(name, KEY_SPACE, 0.99, length, 20_000, 5_000, 14);
    case "shifting-zipf-0.99":
      return shiftingTrace(name, KEY_SPACE, 0.99, length, Math.floor(length / 10), 15);
    default: {
      const trace = loadTrace(tracesDir, name);
      if (trace === undefined) throw new Error(`trace ${name}: file absent from ${tracesDir}`);
      return trace;
    }
  }
}

const DEFAULT_POINTS = [
  "gli@1000", "gli@1500", "loop@500", "multi2@1000", "OLTP@1000", "OLTP@2000",
  ...["zipf-0.8", "zipf-0.99", "zipf-1.2", "zipf-0.99+scans", "shifting-zipf-0.99"].flatMap((t) => [100, 1000, 10_000].map((c) => `${t}@${c}`)),
];

function main(argv: readonly string[]): void {
  const points: string[] = [];
  let policyIds = ["tinylfu", "lru-cache"];
  let runs = 3;
  let length = 1_000_000;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--policies") policyIds = argv[++i]!.split(",");
    else if (arg === "--runs") runs = Number(argv[++i]);
    else if (arg === "--length") length = Number(argv[++i]);
    else points.push(arg);
  }
  const policies = policyIds.map((id) => {
    const p = policiesUnderTest.find((q) => q.id === id);
    if (p === undefined) throw new Error(`--policies: unknown ${id}; accepted: ${policiesUnderTest.map((q) => q.id).join(", ")}`);
    return p;
  });
  const traces = new Map<string, Trace>();
  console.log(["point", ...policies.flatMap((p) => [`${p.id} hit%`, `${p.id} ns/req`])].join("\t"));
  for (const point of points.length > 0 ? points : DEFAULT_POINTS) {
    const [name, size] = point.split("@") as [string, string];
    let trace = traces.get(name);
    if (trace === undefined) traces.set(name, (trace = traceNamed(name, length)));
    const cells = [point];
    const hits = policies.map((): number[] => []);
    const ns = policies.map((): number[] => []);
    for (let run = 0; run < runs; run++) {
      // Policies take turns, so that each sees the same machine load.
      policies.forEach((policy, i) => {
        const r = timedReplay(() => policy.create(Number(size), seededRandom(1000 + run)), trace.keys);
        hits[i]!.push(r.hits);
        ns[i]!.push(r.nsPerRequest);
      });
    }
    policies.forEach((_, i) => cells.push(((100 * median(hits[i]!)) / trace.keys.length).toFixed(2), median(ns[i]!).toFixed(0)));
    console.log(cells.join("\t"));
  }
}

main(process.argv.slice(2));

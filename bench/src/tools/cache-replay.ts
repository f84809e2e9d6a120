// Replays cache traces through chosen policies and prints hit % and CPU ns per request next to lru-cache:
// the quick loop for tuning a policy. Usage: node bench/dist/src/tools/cache-replay.js [trace@size …] [--policies a,b] [--runs n]
import { policiesUnderTest, timedReplay } from "../cache/policies.js";
import { CACHE_POINTS, traceNamed } from "../cache/named-traces.js";
import { seededRandom, type Trace } from "../cache/traces.js";
import { median } from "../harness/stats.js";

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
  for (const point of points.length > 0 ? points : CACHE_POINTS) {
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

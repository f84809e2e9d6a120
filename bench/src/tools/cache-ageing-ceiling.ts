// Prints the hit % of the perfect-history LFU with exact counts halved every k × capacity requests:
// the ceiling of any frequency policy whose counts age on that period. Usage: node
// bench/dist/src/tools/cache-ageing-ceiling.js [trace@size …] [--periods 20,80,none] [--length n]
import { perfectLfuHits } from "../cache/perfect-lfu.js";
import { CACHE_POINTS, traceNamed } from "../cache/named-traces.js";

/** Halving periods tried by default, in multiples of the capacity (the default sketch ages every 20 × capacity from 512 entries). */
const DEFAULT_PERIODS = ["20", "40", "80", "160", "320", "none"];

function main(argv: readonly string[]): void {
  const points: string[] = [];
  let periods = DEFAULT_PERIODS;
  let length = 1_000_000;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--periods") periods = argv[++i]!.split(",");
    else if (arg === "--length") length = Number(argv[++i]);
    else points.push(arg);
  }
  for (const p of periods) {
    if (p !== "none" && !(Number(p) > 0)) throw new Error(`--periods: each must be a positive multiple of the capacity or "none", got ${p}`);
  }
  console.log(["point", ...periods.map((p) => (p === "none" ? "no ageing" : `halved every ${p} × capacity`))].join("\t"));
  for (const point of points.length > 0 ? points : CACHE_POINTS) {
    const [name, size] = point.split("@") as [string, string];
    const capacity = Number(size);
    const keys = traceNamed(name, length).keys;
    const cells = periods.map((p) => {
      const hits = perfectLfuHits(keys, capacity, p === "none" ? Infinity : Number(p) * capacity);
      return ((100 * hits) / keys.length).toFixed(2);
    });
    console.log([point, ...cells].join("\t"));
  }
}

main(process.argv.slice(2));

// Traces by name for the cache tools: a published one from ../shared/traces or a seeded synthetic
// one (the same generators and seeds as the bench's cache scenario).
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadTrace, scanPollutedTrace, shiftingTrace, zipfTrace, type Trace } from "./traces.js";

const tracesDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../../shared/traces");
const KEY_SPACE = 100_000;

/** Builds trace `name`: a published one from ../shared/traces or a seeded synthetic one of `length` requests. */
export function traceNamed(name: string, length: number): Trace {
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

/** Every point the bench's cache scenario replays: the README traces at their sizes, each synthetic trace at 0.1, 1 and 10 % of its key space. */
export const CACHE_POINTS = [
  "gli@1000", "gli@1500", "loop@500", "multi2@1000", "OLTP@1000", "OLTP@2000",
  ...["zipf-0.8", "zipf-0.99", "zipf-1.2", "zipf-0.99+scans", "shifting-zipf-0.99"].flatMap((t) => [100, 1000, 10_000].map((c) => `${t}@${c}`)),
];

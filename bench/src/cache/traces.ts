// Cache traces for the `cache` scenario: the published traces (LIRS and ARC formats, gzipped) and
// seeded synthetic ones (Zipf, Zipf polluted by scans, a shifting popular set).
import { createSeededRandom } from "@sluice/runtime";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gunzipSync } from "node:zlib";

/** A named sequence of integer keys. */
export interface Trace {
  readonly name: string;
  readonly keys: Int32Array;
  /** Distinct keys in the trace. */
  readonly distinct: number;
}

function countDistinct(keys: Int32Array): number {
  return new Set(keys).size;
}

/** Parses a LIRS trace: one integer key per line; lines starting with `*` and blank lines are skipped. */
export function parseLirs(text: string): Int32Array {
  const keys: number[] = [];
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t === "" || t.startsWith("*")) continue;
    keys.push(Number.parseInt(t, 10));
  }
  return Int32Array.from(keys);
}

/** Parses an ARC trace: `start count ignore reqno`; each line requests blocks start … start+count−1. */
export function parseArc(text: string): Int32Array {
  const keys: number[] = [];
  for (const line of text.split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2) continue;
    const start = Number.parseInt(parts[0]!, 10);
    const count = Number.parseInt(parts[1]!, 10);
    for (let i = 0; i < count; i++) keys.push(start + i);
  }
  return Int32Array.from(keys);
}

/** The published trace files and their formats. */
export const traceFiles = [
  { name: "gli", file: "gli.trace.gz", parse: parseLirs },
  { name: "loop", file: "loop.trace.gz", parse: parseLirs },
  { name: "multi2", file: "multi2.trace.gz", parse: parseLirs },
  { name: "OLTP", file: "OLTP.lis.gz", parse: parseArc },
] as const;

/** Loads trace `name` from `dir`; undefined when the file is absent. */
export function loadTrace(dir: string, name: string): Trace | undefined {
  const spec = traceFiles.find((t) => t.name === name);
  if (spec === undefined) throw new Error(`unknown trace "${name}"; accepted: ${traceFiles.map((t) => t.name).join(", ")}`);
  const path = resolve(dir, spec.file);
  if (!existsSync(path)) return undefined;
  const keys = spec.parse(gunzipSync(readFileSync(path)).toString("latin1"));
  return { name, keys, distinct: countDistinct(keys) };
}

/** A seeded 32-bit PRNG (mulberry32) returning floats in [0, 1): the runtime's, so every seeded run in the repo draws alike. */
export const seededRandom: (seed: number) => () => number = createSeededRandom;

/** Draws ranks 0 … n−1 with P(k) ∝ 1/(k+1)^s by binary search over the cumulative weights. */
function zipfSampler(n: number, s: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    sum += 1 / (k + 1) ** s;
    cdf[k] = sum;
  }
  return () => {
    const u = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** A random permutation of 0 … n−1, so popular keys are not the small integers. */
function permutation(n: number, random: () => number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** `length` Zipf(s) requests over `keySpace` keys. */
export function zipfTrace(name: string, keySpace: number, s: number, length: number, seed: number): Trace {
  const random = seededRandom(seed);
  const draw = zipfSampler(keySpace, s, random);
  const ids = permutation(keySpace, random);
  const keys = new Int32Array(length);
  for (let i = 0; i < length; i++) keys[i] = ids[draw()]!;
  return { name, keys, distinct: countDistinct(keys) };
}

/**
 * Zipf(s) requests where, every `period` requests, a scan of `scanLength` keys never seen before
 * (one request each) is spliced in.
 */
export function scanPollutedTrace(name: string, keySpace: number, s: number, length: number, period: number, scanLength: number, seed: number): Trace {
  const random = seededRandom(seed);
  const draw = zipfSampler(keySpace, s, random);
  const ids = permutation(keySpace, random);
  const keys = new Int32Array(length);
  let nextScanKey = keySpace;
  for (let i = 0; i < length; ) {
    if (i % period === period - 1) {
      for (let j = 0; j < scanLength && i < length; j++) keys[i++] = nextScanKey++;
    } else {
      keys[i++] = ids[draw()]!;
    }
  }
  return { name, keys, distinct: countDistinct(keys) };
}

/**
 * Zipf(s) requests whose popular set moves: every `phase` requests the ranks are mapped onto a
 * fresh random permutation of the key space, so yesterday's hot keys go cold.
 */
export function shiftingTrace(name: string, keySpace: number, s: number, length: number, phase: number, seed: number): Trace {
  const random = seededRandom(seed);
  const draw = zipfSampler(keySpace, s, random);
  let ids = permutation(keySpace, random);
  const keys = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    if (i > 0 && i % phase === 0) ids = permutation(keySpace, random);
    keys[i] = ids[draw()]!;
  }
  return { name, keys, distinct: countDistinct(keys) };
}

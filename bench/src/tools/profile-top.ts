// Prints the top self-time functions of a V8 .cpuprofile (from `npm run bench -- --cpu-prof`).
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Self time per function (µs), largest first. */
export function topSelfTime(profile: CpuProfile, limit: number): Array<{ name: string; us: number; share: number }> {
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const node = byNode.get(samples[i]);
    const dt = Math.max(0, deltas[i] ?? 0);
    if (node === undefined) continue;
    const f = node.callFrame;
    const file = f.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/(bench|packages)\//, "$1/");
    const key = `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({ name, us, share: total === 0 ? 0 : us / total }));
}

const file = process.argv[2];
if (file === undefined) {
  console.error("usage: node bench/dist/src/tools/profile-top.js <file.cpuprofile> [limit]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
for (const row of topSelfTime(profile, Number(process.argv[3] ?? 25))) {
  console.log(`${(row.share * 100).toFixed(1).padStart(5)}%  ${(row.us / 1000).toFixed(0).padStart(7)} ms  ${row.name}`);
}

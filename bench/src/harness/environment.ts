// Facts recorded with every result: date, exact command, Node, cores, CPU, load and package versions.
import { readFileSync } from "node:fs";
import * as os from "node:os";
import { resolve } from "node:path";
import type { RunEnvironment } from "./scenario.js";

/** Packages whose versions the report records. */
const PACKAGES = [
  "@connectrpc/connect",
  "@connectrpc/connect-node",
  "@bufbuild/protobuf",
  "@grpc/grpc-js",
  "@sluice/runtime",
  "hdr-histogram-js",
  "vega",
  "vega-lite",
  "typescript",
];

function versionOf(repoRoot: string, name: string): string {
  try {
    const json: unknown = JSON.parse(readFileSync(resolve(repoRoot, "node_modules", name, "package.json"), "utf8"));
    if (typeof json === "object" && json !== null && "version" in json && typeof json.version === "string") return json.version;
  } catch {
    // not installed
  }
  return "absent";
}

/** The command line as the user typed it (npm run bench … when run through npm); an argument with spaces in double quotes. */
export function commandLine(argv: readonly string[]): string {
  const args = argv.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ");
  if (process.env.npm_lifecycle_event === "bench") return `npm run bench${args ? ` -- ${args}` : ""}`;
  return `node bench/dist/src/run.js${args ? ` ${args}` : ""}`;
}

/** Describes this machine and run; `nodeFlags`: those of every child process (--node-flags). */
export function describeEnvironment(repoRoot: string, argv: readonly string[], runs: number, quick: boolean, nodeFlags: readonly string[] = []): RunEnvironment {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    command: commandLine(argv),
    node: process.version,
    cores: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    packages: Object.fromEntries(PACKAGES.map((p) => [p, versionOf(repoRoot, p)])),
    runs,
    quick,
    ...(nodeFlags.length > 0 ? { nodeFlags } : {}),
  };
}

/** The report's clause naming the node flags of every process of the run ("" when none were given). */
export function nodeFlagsText(env: RunEnvironment): string {
  return env.nodeFlags === undefined || env.nodeFlags.length === 0 ? "" : `, every server and load generator started with node flags \`${env.nodeFlags.join(" ")}\``;
}

/** The report's clause on hypervisor steal time during the scenario ("" when not measured). */
export function stealText(env: RunEnvironment): string {
  return env.stealPercent === undefined ? "" : `, CPU time stolen by the hypervisor during the run ${env.stealPercent} %`;
}

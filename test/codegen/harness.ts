// Test harness for protoc-gen-sluice: builds the plugin, lays out temporary "user repositories"
// (the buf.yaml from the README, node_modules linked), runs the real buf and tsc on them.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root. */
export const repoRoot = path.resolve(__dirname, "../..");

const nodeBin = path.join(repoRoot, "node_modules", ".bin");

/**
 * Builds the plugin (its bin runs dist/), failing on errors, and the runtime, whose declarations
 * the generated code is type-checked against; a runtime build error shows up in that type check.
 * Both are no-ops when up to date (`npm test` builds everything first).
 */
export function buildPluginAndRuntime(): void {
  const tsc = path.join(nodeBin, "tsc");
  execFileSync(tsc, ["-b", "packages/codegen"], { cwd: repoRoot, stdio: "pipe" });
  spawnSync(tsc, ["-b", "packages/runtime"], { cwd: repoRoot, stdio: "pipe", timeout: 60_000 });
}

/**
 * The `buf.yaml` a user writes to make `sluice/v1/options.proto` importable, read from the code
 * block in packages/codegen/README.md that names the packaged proto directory.
 */
export function documentedBufYaml(): string {
  const readme = fs.readFileSync(path.join(repoRoot, "packages/codegen/README.md"), "utf8");
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  const block = blocks.find((b) => b.includes("node_modules/@sluice/protoc-gen-sluice/proto") && b.includes("modules:"));
  if (block === undefined) {
    throw new Error("packages/codegen/README.md has no buf.yaml block with the packaged proto path");
  }
  return block;
}

/**
 * Creates a directory laid out like a user's repository: `proto/` copied from `protoDir`, the
 * documented buf.yaml, `node_modules` linked to this repository's, and `package.json` (ESM).
 */
export function createUserRepo(dir: string, protoDir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(protoDir, path.join(dir, "proto"), { recursive: true });
  fs.writeFileSync(path.join(dir, "buf.yaml"), documentedBufYaml());
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  fs.writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }\n');
}

/**
 * Links the plugin's bin into `binDir`, as npm links it into node_modules/.bin, and returns a
 * PATH that finds it, protoc-gen-es and buf.
 */
export function pluginPath(binDir: string): string {
  fs.mkdirSync(binDir, { recursive: true });
  const link = path.join(binDir, "protoc-gen-sluice");
  if (!fs.existsSync(link)) {
    fs.symlinkSync(path.join(repoRoot, "packages/codegen/bin/protoc-gen-sluice"), link);
  }
  return [binDir, nodeBin, process.env.PATH ?? ""].join(path.delimiter);
}

/** The outcome of one command. */
export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `buf generate` in `dir` with the template `template` (YAML text), written to buf.gen.yaml. */
export function bufGenerate(dir: string, template: string, envPath: string): RunResult {
  fs.writeFileSync(path.join(dir, "buf.gen.yaml"), template);
  const result = spawnSync(path.join(nodeBin, "buf"), ["generate"], {
    cwd: dir,
    env: { ...process.env, PATH: envPath },
    encoding: "utf8",
    timeout: 180_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the real `tsc -p project` and returns its output. */
export function typeCheck(project: string): RunResult {
  const result = spawnSync(path.join(nodeBin, "tsc"), ["-p", project], { encoding: "utf8", timeout: 180_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file below `dir` by its relative path (sorted), with its bytes. */
export function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else files.set(child.split(path.sep).join("/"), fs.readFileSync(path.join(dir, child)));
    }
  };
  if (fs.existsSync(dir)) walk("");
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A buf.gen.yaml plugin entry pair (protoc-gen-es + protoc-gen-sluice) writing to `out`. */
export function pluginPair(out: string, opts: readonly string[]): string {
  const opt = `[${opts.join(", ")}]`;
  return (
    `  - local: protoc-gen-es\n    out: ${out}\n    include_imports: true\n    opt: ${opt}\n` +
    `  - local: protoc-gen-sluice\n    out: ${out}\n    strategy: all\n    opt: ${opt}\n`
  );
}

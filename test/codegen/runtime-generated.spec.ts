// packages/runtime/src/gen is generated, not hand-edited: the real buf generate with the runtime's
// buf.gen.yaml (grpc.health.v1 and sluice.v1's load-report service) reproduces the committed files exactly.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bufGenerate, pluginPath, readTree, repoRoot, type RunResult } from "./harness.js";

const genDir = path.join(repoRoot, "packages/runtime/src/gen");
let tmp = "";
let run: RunResult;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-runtime-gen-"));
  const envPath = pluginPath(path.join(tmp, "bin"));
  // A copy of the repository as buf sees it: the root module config and proto/, node_modules beside them.
  const copy = path.join(tmp, "repo");
  fs.mkdirSync(copy);
  fs.cpSync(path.join(repoRoot, "proto"), path.join(copy, "proto"), { recursive: true });
  fs.writeFileSync(path.join(copy, "buf.yaml"), "version: v2\nmodules:\n  - path: proto\n");
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(copy, "node_modules"), "dir");
  const template = fs.readFileSync(path.join(repoRoot, "packages/runtime/buf.gen.yaml"), "utf8").replace("out: packages/runtime/src/gen", "out: gen");
  run = bufGenerate(copy, template, envPath);
}, 120_000);

afterAll(() => {
  if (tmp !== "") fs.rmSync(tmp, { recursive: true, force: true });
});

describe("packages/runtime/src/gen", () => {
  it("regenerates exactly the committed files, the health and load-report services included", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const fresh = readTree(path.join(tmp, "repo/gen"));
    const committed = readTree(genDir);
    expect([...fresh.keys()]).toEqual(["grpc/health/v1/health_pb.ts", "sluice/v1/load_report_pb.ts"]);
    expect([...committed.keys()]).toEqual([...fresh.keys()]);
    for (const [file, bytes] of fresh) {
      expect({ file, text: committed.get(file)?.toString("utf8") }).toEqual({ file, text: bytes.toString("utf8") });
    }
  });
});

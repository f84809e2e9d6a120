// @sluice/runtime takes Connect-ES and protobuf-es as peer dependencies, so an app holds one copy of
// each: every such package the runtime's sources import is a caret-range peer, never a dependency,
// and the versions installed for the workspace satisfy those ranges.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
/** The fields of a package.json this test reads. */
interface Manifest {
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}
const readJson = (path: string): Manifest => JSON.parse(readFileSync(join(root, path), "utf8")) as Manifest;

/** Every package name imported by the runtime's non-test sources. */
function importedPackages(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".spec.ts")) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), "utf8");
    for (const match of text.matchAll(/from "((?:@[^/"]+\/)?[^./"][^/"]*)[^"]*"/g)) found.add(match[1] as string);
  }
  return found;
}

/** Whether `version` is within the caret range `^base` (same major, not older). */
function satisfiesCaret(version: string, range: string): boolean {
  const base = range.replace(/^\^/, "").split(".").map(Number);
  const have = version.split(".").map(Number);
  if (have[0] !== base[0]) return false;
  for (let i = 1; i < 3; i++) {
    if ((have[i] as number) !== (base[i] as number)) return (have[i] as number) > (base[i] as number);
  }
  return true;
}

describe("@sluice/runtime dependencies", () => {
  const manifest = readJson("packages/runtime/package.json");
  const peers = manifest.peerDependencies ?? {};
  const shared = [...importedPackages(join(root, "packages/runtime/src"))].filter((name) => /^@(connectrpc|bufbuild)\//.test(name));

  it("imports Connect and protobuf-es packages only as caret-range peer dependencies", () => {
    expect(shared.sort()).toEqual(["@bufbuild/protobuf", "@connectrpc/connect", "@connectrpc/connect-node"]);
    for (const name of shared) {
      expect([name, manifest.dependencies?.[name]]).toEqual([name, undefined]);
      expect([name, peers[name]]).toEqual([name, expect.stringMatching(/^\^\d+\.\d+\.\d+$/)]);
    }
  });

  it("keeps each peer as an exact root devDependency that the peer range accepts, so the workspace resolves one copy", () => {
    const rootDev = readJson("package.json").devDependencies ?? {};
    for (const [name, range] of Object.entries(peers)) {
      const pinned = rootDev[name];
      expect([name, pinned]).toEqual([name, expect.stringMatching(/^\d+\.\d+\.\d+$/)]);
      const installed = readJson(`node_modules/${name}/package.json`).version ?? "";
      expect([name, installed, satisfiesCaret(installed, range)]).toEqual([name, pinned, true]);
    }
  });
});

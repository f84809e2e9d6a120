// Test helper: gRPC C-core as a client, through Debian's python3-grpcio (installed by
// scripts/ensure-system-deps.sh); tests skip without it locally and fail under CI=true.
import { execFile, spawnSync } from "node:child_process";
import * as path from "node:path";

/** One call for {@link callWithCCore}. */
export interface CCoreCall {
  readonly path: string;
  /** The serialized request message. */
  readonly request: Uint8Array;
  readonly streaming?: boolean;
  /** Deadline in seconds (default 5). */
  readonly timeout?: number;
  readonly metadata?: ReadonlyArray<readonly [string, string]>;
}

/** What C-core reported for one call: a status code name ("OK", "UNIMPLEMENTED", …). */
export interface CCoreOutcome {
  readonly code: string;
  readonly details?: string;
  /** Response messages, hex-encoded. */
  readonly responses?: string[];
}

/** A python3 that can `import grpc`, or undefined. */
export function findGrpcioPython(): string | undefined {
  for (const bin of ["/usr/bin/python3", "python3"]) {
    if (spawnSync(bin, ["-c", "import grpc"], { stdio: "ignore" }).status === 0) return bin;
  }
  return undefined;
}

/** Makes `calls` one after another on one C-core channel to `target` (host:port). */
export function callWithCCore(python: string, target: string, calls: readonly CCoreCall[]): Promise<CCoreOutcome[]> {
  const payload = JSON.stringify(calls.map((c) => ({ ...c, request: Buffer.from(c.request).toString("hex") })));
  const script = path.join(__dirname, "grpcio_client.py");
  return new Promise((resolve, reject) => {
    execFile(python, [script, target, payload], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`grpcio client failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as CCoreOutcome[]);
    });
  });
}

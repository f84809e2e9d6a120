// Certificates of the TLS contenders: a throwaway CA and a server certificate for 127.0.0.1 and
// localhost, made with the openssl CLI once per day in the temp directory and shared by the bench's
// server and client processes. Nothing is committed.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The CA and the server's key pair, PEM. */
export interface BenchPki {
  readonly ca: string;
  readonly key: string;
  readonly cert: string;
}

const dir = join(tmpdir(), "sluice-bench-pki");
const maxAgeMs = 24 * 3600_000;

/** Returns the bench certificates, making them when missing or older than a day. */
export function benchPki(): BenchPki {
  const fresh = existsSync(join(dir, "server.pem")) && Date.now() - statSync(join(dir, "server.pem")).mtimeMs < maxAgeMs;
  if (!fresh) make();
  const read = (name: string): string => readFileSync(join(dir, name), "utf8");
  return { ca: read("ca.pem"), key: read("server.key"), cert: read("server.pem") };
}

function make(): void {
  const work = mkdtempSync(join(tmpdir(), "sluice-bench-pki-"));
  const path = (name: string): string => join(work, name);
  const openssl = (...args: string[]): void => void execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...ecKey, "-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "3", "-subj", "/CN=Sluice Bench CA");
  openssl("req", ...ecKey, "-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=localhost");
  writeFileSync(path("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  openssl(
    "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
    "-out", path("server.pem"), "-days", "3", "-extfile", path("server.ext"),
  );
  // Swap the whole directory in at once, so a process reading meanwhile never sees half a set.
  rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(work, dir);
  } catch {
    rmSync(work, { recursive: true, force: true });
  }
}

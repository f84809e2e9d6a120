// Throwaway certificates for the TLS tests, made with the openssl CLI in a temporary directory at
// test time (nothing is committed): a CA, a server certificate, client certificates (good, signed
// by another CA, expired) and a second server certificate for rotation.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A key pair in PEM. */
export interface KeyPair {
  readonly key: string;
  readonly cert: string;
}

/** Everything the TLS tests use. */
export interface TestPki {
  readonly ca: string;
  /** Server: SANs localhost, inventory.test, 127.0.0.1. */
  readonly server: KeyPair;
  /** Same names, signed by the same CA, a different key (rotation). */
  readonly rotatedServer: KeyPair;
  /** Client CN=billing, SANs URI:spiffe://sluice.test/billing and DNS:billing.test. */
  readonly client: KeyPair;
  /** Server with the single SAN DNS:inventory.test (no IP: only a check against that name passes). */
  readonly namedServer: KeyPair;
  /** A client signed by another CA. */
  readonly strangerClient: KeyPair;
  /** A client signed by the CA whose certificate has expired. */
  readonly expiredClient: KeyPair;
  /** The other CA (for a channel that must not trust the server). */
  readonly otherCa: string;
}

let cached: TestPki | undefined;

/** Creates (once per test file) the certificates of {@link TestPki}. */
export function testPki(): TestPki {
  if (cached !== undefined) return cached;
  const dir = mkdtempSync(join(tmpdir(), "sluice-pki-"));
  const path = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  };
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const makeCa = (name: string, cn: string): void =>
    openssl("req", "-x509", ...ecKey, "-keyout", path(`${name}.key`), "-out", path(`${name}.pem`), "-days", "2", "-subj", `/CN=${cn}`);
  const issue = (name: string, ca: string, cn: string, sans: string, days: string, usage: string): KeyPair => {
    openssl("req", ...ecKey, "-keyout", path(`${name}.key`), "-out", path(`${name}.csr`), "-subj", `/CN=${cn}/O=Sluice Test`);
    writeFileSync(path(`${name}.ext`), `subjectAltName=${sans}\nextendedKeyUsage=${usage}\nbasicConstraints=CA:FALSE\n`);
    openssl(
      "x509", "-req", "-in", path(`${name}.csr`), "-CA", path(`${ca}.pem`), "-CAkey", path(`${ca}.key`),
      "-CAcreateserial", "-out", path(`${name}.pem`), "-days", days, "-extfile", path(`${name}.ext`),
    );
    return { key: readFileSync(path(`${name}.key`), "utf8"), cert: readFileSync(path(`${name}.pem`), "utf8") };
  };
  try {
    makeCa("ca", "Sluice Test CA");
    makeCa("other", "Other Test CA");
    const serverSans = "DNS:localhost,DNS:inventory.test,IP:127.0.0.1";
    const clientSans = "URI:spiffe://sluice.test/billing,DNS:billing.test";
    cached = {
      ca: readFileSync(path("ca.pem"), "utf8"),
      otherCa: readFileSync(path("other.pem"), "utf8"),
      server: issue("server", "ca", "inventory.test", serverSans, "2", "serverAuth"),
      rotatedServer: issue("server2", "ca", "inventory.test", serverSans, "2", "serverAuth"),
      namedServer: issue("named", "ca", "inventory.test", "DNS:inventory.test", "2", "serverAuth"),
      client: issue("client", "ca", "billing", clientSans, "2", "clientAuth"),
      strangerClient: issue("stranger", "other", "billing", clientSans, "2", "clientAuth"),
      // openssl 3 accepts a negative validity: notAfter before notBefore, i.e. already expired.
      expiredClient: issue("expired", "ca", "billing", clientSans, "-1", "clientAuth"),
    };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

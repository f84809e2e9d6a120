// Test helper: runs a private dnsmasq on 127.0.0.1 (a free port), authoritative for svc.test, with
// a hosts directory the test rewrites (dnsmasq re-reads it via inotify) and SRV records.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Resolver } from "node:dns/promises";
import { killAndWait } from "./resolver-watch.js";

/** Path of the dnsmasq binary, or undefined when it is not installed. */
export function findDnsmasq(): string | undefined {
  for (const p of ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/sbin/dnsmasq"]) {
    if (existsSync(p)) return p;
  }
  const r = spawnSync("sh", ["-c", "command -v dnsmasq"], { encoding: "utf8" });
  const found = r.stdout.trim();
  return r.status === 0 && found !== "" ? found : undefined;
}

/** A port free on 127.0.0.1 for both UDP and TCP at the time of the call. */
export async function freeUdpTcpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = createSocket("udp4");
    const port = await new Promise<number>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(0, "127.0.0.1", () => resolve(udp.address().port));
    });
    const tcp = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once("error", () => resolve(false));
      tcp.listen(port, "127.0.0.1", () => resolve(true));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (ok) {
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      return port;
    }
  }
  throw new Error("no port free for both UDP and TCP after 20 attempts");
}

/** One SRV record: `--srv-host=name,target,port,priority,weight`. */
export interface SrvHost {
  name: string;
  target: string;
  port: number;
  priority: number;
  weight: number;
}

/** A running dnsmasq and the knobs a test turns. */
export interface Dnsmasq {
  /** `127.0.0.1:port`, for the resolver's dnsServer. */
  readonly server: string;
  readonly port: number;
  /** Replaces the hosts file (`ip name` lines); resolves once dnsmasq answers with the change. */
  writeHosts(entries: ReadonlyArray<readonly [ip: string, name: string]>): Promise<void>;
  /** Restarts dnsmasq on the same port with new SRV records. */
  restart(srv: readonly SrvHost[]): Promise<void>;
  /** How many queries of `type` for `name` dnsmasq logged so far. */
  queryCount(type: string, name: string): number;
  /** Kills dnsmasq (SIGKILL) and waits for it to exit. */
  kill(): Promise<void>;
  /** Kills dnsmasq and removes its files. */
  stop(): Promise<void>;
}

/** Starts dnsmasq; rejects if it does not answer within 5 s. */
export async function startDnsmasq(bin: string, srv: readonly SrvHost[]): Promise<Dnsmasq> {
  const dir = mkdtempSync(join(tmpdir(), "sluice-dnsmasq-"));
  const hostsDir = join(dir, "hosts");
  mkdirSync(hostsDir);
  const hostsFile = join(hostsDir, "hosts");
  writeFileSync(hostsFile, "");
  const port = await freeUdpTcpPort();
  const server = `127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let log = "";

  const probe = new Resolver({ timeout: 300, tries: 1 });
  probe.setServers([server]);

  async function launch(records: readonly SrvHost[]): Promise<void> {
    const args = [
      "--no-daemon",
      "--conf-file=/dev/null",
      "--no-resolv",
      "--no-hosts",
      "--bind-interfaces",
      "--listen-address=127.0.0.1",
      `--port=${port}`,
      `--pid-file=${join(dir, "dnsmasq.pid")}`,
      `--hostsdir=${hostsDir}`,
      // Authoritative for svc.test: unknown names and missing types get NXDOMAIN / NODATA, not REFUSED.
      "--local=/svc.test/",
      "--log-queries",
      "--log-facility=-",
      ...(process.getuid?.() === 0 ? ["--user=root"] : []),
      ...records.map((r) => `--srv-host=${r.name},${r.target},${r.port},${r.priority},${r.weight}`),
    ];
    const proc = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    proc.stdout?.on("data", (d: Buffer) => (log += d.toString()));
    proc.stderr?.on("data", (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) break;
      try {
        await probe.resolveSoa("svc.test");
        return;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENODATA" || code === "ENOTFOUND") return; // dnsmasq answered
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    proc.kill("SIGKILL");
    throw new Error(`dnsmasq did not answer on ${server} within 5 s; its output:\n${log}`);
  }

  async function kill(): Promise<void> {
    const proc = child;
    child = undefined;
    await killAndWait(proc);
  }

  await launch(srv);
  return {
    server,
    port,
    async writeHosts(entries) {
      writeFileSync(hostsFile, entries.map(([ip, name]) => `${ip} ${name}\n`).join(""));
      // Wait (bounded) until dnsmasq serves the new contents: inotify reloads are asynchronous.
      const [ip, name] = entries[0] ?? [];
      const deadline = Date.now() + 5000;
      while (ip !== undefined && name !== undefined && Date.now() < deadline) {
        const found = await probe.resolve4(name).catch(() => probe.resolve6(name)).catch((): string[] => []);
        if (found.includes(ip)) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      if (ip !== undefined) throw new Error(`dnsmasq did not serve the rewritten hosts file within 5 s:\n${log}`);
    },
    async restart(records) {
      await kill();
      await launch(records);
    },
    queryCount(type, name) {
      const re = new RegExp(`query\\[${type}\\] ${name.replace(/\./g, "\\.")} from`, "g");
      return (log.match(re) ?? []).length;
    },
    kill,
    async stop() {
      await kill();
      probe.cancel();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

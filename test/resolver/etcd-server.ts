// Test helper: runs a private single-member etcd on 127.0.0.1 (free client and peer ports picked by
// binding port 0 first) with a temporary data dir; it can be stopped and restarted on the same ports.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:http";
import { killAndWait } from "./resolver-watch.js";

/** Path of the etcd binary (Debian's etcd-server), or undefined when it is not installed. */
export function findEtcd(): string | undefined {
  for (const p of ["/usr/bin/etcd", "/usr/local/bin/etcd"]) {
    if (existsSync(p)) return p;
  }
  const r = spawnSync("sh", ["-c", "command -v etcd"], { encoding: "utf8" });
  const found = r.stdout.trim();
  return r.status === 0 && found !== "" ? found : undefined;
}

/** A TCP port free on 127.0.0.1 at the time of the call (etcd cannot bind port 0 itself). */
export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP port");
  return address.port;
}

/** A running etcd and how to stop it. */
export interface EtcdServer {
  /** `127.0.0.1:port` of the client endpoint. */
  readonly endpoint: string;
  /** Kills etcd (SIGKILL) and waits for it to exit; its data dir stays for restart(). */
  kill(): Promise<void>;
  /** Starts etcd again on the same ports and data dir; resolves once it is healthy. */
  restart(): Promise<void>;
  /** Kills etcd and removes its data dir. */
  stop(): Promise<void>;
}

/** Starts etcd; rejects if it is not healthy within 15 s. */
export async function startEtcd(bin: string): Promise<EtcdServer> {
  const dir = mkdtempSync(join(tmpdir(), "sluice-etcd-"));
  const clientPort = await freeTcpPort();
  let peerPort = await freeTcpPort();
  while (peerPort === clientPort) peerPort = await freeTcpPort();
  const endpoint = `127.0.0.1:${clientPort}`;
  let child: ChildProcess | undefined;
  let log = "";

  async function launch(): Promise<void> {
    const args = [
      "--name=sluice-test",
      `--data-dir=${join(dir, "data")}`,
      `--listen-client-urls=http://${endpoint}`,
      `--advertise-client-urls=http://${endpoint}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=sluice-test=http://127.0.0.1:${peerPort}`,
      "--initial-cluster-state=new",
      "--heartbeat-interval=50",
      "--election-timeout=250",
      "--log-level=warn",
      "--logger=zap",
    ];
    const proc = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    proc.stdout?.on("data", (d: Buffer) => (log += d.toString()));
    proc.stderr?.on("data", (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && proc.exitCode === null) {
      if (await healthy()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill("SIGKILL");
    throw new Error(`etcd did not become healthy on ${endpoint} within 15 s; its output:\n${log.slice(-4000)}`);
  }

  function healthy(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = request({ host: "127.0.0.1", port: clientPort, path: "/health", timeout: 500 }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve(res.statusCode === 200 && body.includes('"true"')));
      });
      req.on("error", () => resolve(false));
      req.on("timeout", () => req.destroy());
      req.end();
    });
  }

  async function kill(): Promise<void> {
    const proc = child;
    child = undefined;
    await killAndWait(proc);
  }

  await launch();
  return {
    endpoint,
    kill,
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

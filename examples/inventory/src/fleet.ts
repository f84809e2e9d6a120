// Starts a fleet of example servers as child processes on loopback, registered for discovery —
// in an embedded registry in this process by default, or in a real etcd — and restarts or stops them.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createMemoryRegistry, type ChannelOptions, type ServiceRegistration } from "@sluice/runtime";

/** One server to start. */
export interface FleetMember {
  readonly name: string;
  readonly delayMs?: number;
}

/** Where the fleet registers. */
export interface FleetOptions {
  /** An etcd endpoint (`host:port` or `http://host:port`); default: the embedded registry. */
  readonly etcd?: string;
}

/** A running fleet. */
export interface Fleet {
  /** `127.0.0.1:port` of each member now, in the order given (a restarted member has a new port). */
  readonly addresses: readonly string[];
  readonly members: readonly FleetMember[];
  /** The discovery target naming the service: `registry:///inventory` or `etcd://host:port/inventory`. */
  readonly target: string;
  /** What a channel needs besides the target (the embedded registry). */
  readonly channelOptions: Partial<ChannelOptions>;
  /** How the members are found, for the demo's output. */
  readonly discovery: string;
  /**
   * Replaces member `index`: SIGTERM (it deregisters, sends GOAWAY, lets calls in flight finish and
   * exits), then a new process on a new port that registers itself.
   */
  restart(index: number): Promise<void>;
  /** Stops every member (SIGTERM, then SIGKILL after 3 s). */
  stop(): Promise<void>;
}

/** The service name members register under. */
export const fleetService = "inventory";

const serverMain = fileURLToPath(new URL("./server-main.js", import.meta.url));

interface Running {
  readonly child: ChildProcess;
  readonly port: number;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Starts every member as its own node process on 127.0.0.1 (free ports) and registers it. */
export async function startFleet(members: readonly FleetMember[], options: FleetOptions = {}): Promise<Fleet> {
  const etcd = options.etcd?.replace(/^https?:\/\//, "").replace(/\/$/, "");
  const registry = etcd === undefined ? createMemoryRegistry() : undefined;

  const startMember = (member: FleetMember): Promise<Running> => {
    const args = ["--name", member.name, "--delay-ms", String(member.delayMs ?? 0), "--service", fleetService];
    args.push(...(etcd === undefined ? ["--registry", "parent"] : ["--etcd", etcd]));
    const child = fork(serverMain, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    let registration: ServiceRegistration | undefined;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server ${member.name} did not start within 15 s`)), 15_000);
      child.once("error", reject);
      child.once("exit", (code) => {
        void registration?.close();
        reject(new Error(`server ${member.name} exited with code ${String(code)}`));
      });
      child.on("message", (message: { type?: string; port?: number }) => {
        if (message.type === "listening" && typeof message.port === "number") {
          // The embedded registry lives in this process: register the member here for it.
          registration = registry?.register({ host: "127.0.0.1", port: message.port }, { service: fleetService, metadata: { name: member.name } });
          clearTimeout(timer);
          resolve({ child, port: message.port });
        } else if (message.type === "deregister") {
          void registration?.close().then(() => child.send({ type: "deregistered" }));
        }
      });
    });
  };

  const running = await Promise.all(members.map(startMember));
  return {
    get addresses() {
      return running.map((r) => `127.0.0.1:${r.port}`);
    },
    members,
    target: etcd === undefined ? `registry:///${fleetService}` : `etcd://${etcd}/${fleetService}`,
    channelOptions: registry === undefined ? {} : { registry },
    discovery: etcd === undefined ? "the embedded registry" : `etcd at ${etcd}`,
    async restart(index) {
      const old = running[index];
      if (old === undefined) throw new Error(`restart: no member ${index}`);
      await stopChild(old.child);
      running[index] = await startMember(members[index]!);
    },
    async stop() {
      await Promise.all(running.map((r) => stopChild(r.child)));
    },
  };
}

// Starts a fleet of example servers as child processes on loopback and stops them again.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** One server to start. */
export interface FleetMember {
  readonly name: string;
  readonly delayMs?: number;
}

/** A running fleet. */
export interface Fleet {
  /** `127.0.0.1:port` of each member, in the order given. */
  readonly addresses: readonly string[];
  readonly members: readonly FleetMember[];
  /** A `static:///…` target naming every member. */
  readonly target: string;
  /** Stops every member (SIGTERM, then SIGKILL after 3 s). */
  stop(): Promise<void>;
}

const serverMain = fileURLToPath(new URL("./server-main.js", import.meta.url));

function startMember(member: FleetMember): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(serverMain, ["--name", member.name, "--delay-ms", String(member.delayMs ?? 0)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server ${member.name} did not start within 15 s`)), 15_000);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`server ${member.name} exited with code ${String(code)}`)));
    child.on("message", (message: { type?: string; port?: number }) => {
      if (message.type === "listening" && typeof message.port === "number") {
        clearTimeout(timer);
        resolve({ child, port: message.port });
      }
    });
  });
}

/** Starts every member as its own node process on 127.0.0.1 (free ports). */
export async function startFleet(members: readonly FleetMember[]): Promise<Fleet> {
  const started = await Promise.all(members.map(startMember));
  const addresses = started.map((s) => `127.0.0.1:${s.port}`);
  return {
    addresses,
    members,
    target: `static:///${addresses.join(",")}`,
    async stop() {
      await Promise.all(
        started.map(
          ({ child }) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const kill = setTimeout(() => child.kill("SIGKILL"), 3000);
              child.once("exit", () => {
                clearTimeout(kill);
                resolve();
              });
              child.kill("SIGTERM");
            }),
        ),
      );
    },
  };
}

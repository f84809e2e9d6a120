// Test support: example servers as real child processes (the built examples/inventory/dist), so a
// test can kill one with SIGKILL and restart it on the same port.
import { fork, type ChildProcess } from "node:child_process";
import * as path from "node:path";

const serverMain = path.resolve(__dirname, "../../examples/inventory/dist/src/server-main.js");

/** A server process and how to stop it. */
export interface ServerProcess {
  readonly name: string;
  readonly port: number;
  readonly address: string;
  readonly child: ChildProcess;
  /** SIGKILL: the process dies without closing its connections. */
  kill(): Promise<void>;
  /** SIGTERM: graceful close. */
  stop(): Promise<void>;
}

/** Forks one example server (`npm test` builds dist first); resolves once it listens. */
export function spawnServer(name: string, options: { port?: number; delayMs?: number } = {}): Promise<ServerProcess> {
  const child = fork(serverMain, ["--name", name, "--port", String(options.port ?? 0), "--delay-ms", String(options.delayMs ?? 0)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 15 s`)), 15_000);
    child.once("exit", (code) => reject(new Error(`${name} exited early with code ${String(code)}`)));
    child.on("message", (message: { type?: string; port?: number }) => {
      if (message.type !== "listening" || typeof message.port !== "number") return;
      clearTimeout(timer);
      const port = message.port;
      resolve({ name, port, address: `127.0.0.1:${port}`, child, kill: () => end("SIGKILL"), stop: () => end("SIGTERM") });
    });
  });
}

// A contender's server side as one or several forked processes of the same module: ports in
// process order, every control request sent to all of them, their window reports added up.
import type { JsonObject, ProcessSpec, ServerReport } from "./scenario.js";
import { startWorker, type WorkerHandle } from "./worker-handle.js";
import { mergeServerReports } from "./server-reports.js";

/** The server processes of one contender run. */
export interface ServerGroup {
  /** Starts every process's server; resolves with all ports, process by process. */
  start(timeoutMs: number): Promise<readonly number[]>;
  configure(args: JsonObject, timeoutMs: number): Promise<void>;
  mark(timeoutMs: number): Promise<void>;
  /** The processes' window reports merged by {@link mergeServerReports}. */
  report(timeoutMs: number): Promise<ServerReport>;
  stop(timeoutMs: number): Promise<void>;
}

/** Forks `count` server processes (each with `execArgv(i)`) running `spec`. */
export function startServerGroup(spec: ProcessSpec, count: number, execArgv: (index: number) => readonly string[]): ServerGroup {
  if (!(Number.isInteger(count) && count >= 1)) throw new Error(`serverProcesses must be an integer >= 1, got ${count}`);
  const workers: WorkerHandle[] = Array.from({ length: count }, (_, i) => startWorker(execArgv(i)));
  return {
    async start(timeoutMs) {
      const replies = await Promise.all(workers.map((w) => w.request({ op: "start-server", spec }, timeoutMs)));
      return replies.flatMap((r) => r.ports);
    },
    async configure(args, timeoutMs) {
      await Promise.all(workers.map((w) => w.request({ op: "configure", args }, timeoutMs)));
    },
    async mark(timeoutMs) {
      await Promise.all(workers.map((w) => w.request({ op: "mark" }, timeoutMs)));
    },
    async report(timeoutMs) {
      return mergeServerReports(await Promise.all(workers.map((w) => w.request({ op: "report" }, timeoutMs))));
    },
    async stop(timeoutMs) {
      await Promise.all(workers.map((w) => w.stop(timeoutMs)));
    },
  };
}

// Runner side of a worker process: fork it, send typed requests with timeouts, end it.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import { isWorkerReply, type WorkerReplies, type WorkerReply, type WorkerRequest } from "./ipc.js";

const workerMain = resolve(dirname(fileURLToPath(import.meta.url)), "worker-main.js");

/** A forked worker process. */
export interface WorkerHandle {
  /** Process id, for logs. */
  readonly pid: number | undefined;
  /** Sends a request and waits for its reply, at most `timeoutMs`. */
  request<R extends WorkerRequest>(request: R, timeoutMs: number): Promise<WorkerReplies[R["op"]]>;
  /** Asks the worker to stop (at most `timeoutMs`), then kills it if it is still alive. */
  stop(timeoutMs: number): Promise<void>;
}

/** Forks bench/dist/src/harness/worker-main.js with the given node flags. */
export function startWorker(execArgv: readonly string[]): WorkerHandle {
  const child: ChildProcess = fork(workerMain, [], {
    execArgv: [...execArgv],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let nextId = 1;
  let exited: string | undefined;
  const pending = new Map<number, { resolve(reply: WorkerReply): void; reject(error: Error): void }>();
  child.on("message", (message: unknown) => {
    if (!isWorkerReply(message)) return;
    pending.get(message.id)?.resolve(message);
    pending.delete(message.id);
  });
  child.on("exit", (code, signal) => {
    exited = `worker ${child.pid} exited (code ${code}, signal ${signal})`;
    for (const p of pending.values()) p.reject(new Error(exited));
    pending.clear();
  });
  child.on("error", (e) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  });

  const request = <R extends WorkerRequest>(req: R, timeoutMs: number): Promise<WorkerReplies[R["op"]]> => {
    if (exited !== undefined) return Promise.reject(new Error(exited));
    const id = nextId++;
    return new Promise<WorkerReplies[R["op"]]>((resolvePromise, rejectPromise) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        rejectPromise(new Error(`worker ${child.pid}: "${req.op}" got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve(reply) {
          clearTimeout(timer);
          if (reply.ok) resolvePromise(reply.value as WorkerReplies[R["op"]]);
          else rejectPromise(new Error(`worker ${child.pid}: ${req.op} failed: ${reply.error}`));
        },
        reject(error) {
          clearTimeout(timer);
          rejectPromise(error);
        },
      });
      child.send({ ...req, id });
    });
  };

  return {
    pid: child.pid,
    request,
    async stop(timeoutMs) {
      if (exited === undefined) {
        const gone = new Promise<void>((r) => child.once("exit", () => r()));
        try {
          await request({ op: "stop" }, timeoutMs);
          await Promise.race([gone, new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]);
        } catch {
          // fall through to kill
        }
      }
      if (exited === undefined) child.kill("SIGKILL");
    },
  };
}

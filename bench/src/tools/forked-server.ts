// The child-process side channel of the focused tools: forks the tool itself as its server and turns
// the child's messages into answers, one per request, in order.
import { fork, type ChildProcess } from "node:child_process";
import type { BenchServer } from "../harness/contracts.js";

/** A server running as a child process of a tool. */
export interface ForkedServer<R> {
  readonly child: ChildProcess;
  /** Sends `message` to the child and resolves with its next message. */
  ask(message: string): Promise<R>;
  /** The child's next message (its first: the port it listens on). */
  next(): Promise<R>;
}

/** Forks `script` with `args` (its server mode) and returns the channel to it. */
export function forkServer<R>(script: string, args: string[]): ForkedServer<R> {
  const child = fork(script, args);
  const replies: ((m: R) => void)[] = [];
  child.on("message", (m: R) => replies.shift()?.(m));
  const next = (): Promise<R> => new Promise((resolve) => replies.push(resolve));
  return {
    child,
    next,
    ask(message) {
      const answer = next();
      child.send(message);
      return answer;
    },
  };
}

/**
 * The child side: tells the parent `server`'s first port, answers "cpu" with this process's CPU
 * time in µs, and closes the server and exits on any other message.
 */
export function answerParent(server: BenchServer): void {
  process.send?.({ port: server.ports[0] });
  process.on("message", (m: string) => {
    if (m === "cpu") {
      const u = process.cpuUsage();
      process.send?.({ cpu: u.user + u.system });
    } else {
      void server.close().then(() => process.exit(0));
    }
  });
}

// Waiting for a forked child's IPC message of one kind: the bench tools that run the overload server
// in a child process and drive it from the parent.
import type { ChildProcess } from "node:child_process";

/** Resolves with the next message from `child` whose `op` is `op` (other messages are left to other listeners). */
export function nextMessage<M extends { op: string }, O extends M["op"]>(child: ChildProcess, op: O): Promise<Extract<M, { op: O }>> {
  return new Promise((resolve) =>
    child.on("message", function on(m: M) {
      if (m.op === op) {
        child.off("message", on);
        resolve(m as Extract<M, { op: O }>);
      }
    }),
  );
}

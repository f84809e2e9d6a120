// Test helpers for resolver specs: record what a resolver reports and wait (bounded) for a
// condition; kill a helper process and wait for its exit.
import type { ChildProcess } from "node:child_process";
import type { Endpoint, Resolver } from "../../packages/runtime/src/channel/resolver.js";

/** What a started resolver reported so far. */
export interface ResolverWatch {
  readonly lists: Endpoint[][];
  readonly errors: Error[];
  /** Addresses of the latest list ([] before the first). */
  latest(): string[];
  /** Waits until `cond()` holds (checked every 10 ms), at most `ms` (default 5000); resolves with the time waited. */
  until(what: string, cond: () => boolean, ms?: number): Promise<number>;
}

/** Starts `resolver` and records its lists and errors. */
export function watchResolver(resolver: Resolver): ResolverWatch {
  const lists: Endpoint[][] = [];
  const errors: Error[] = [];
  resolver.start({ onEndpoints: (e) => void lists.push([...e]), onError: (e) => void errors.push(e) });
  return {
    lists,
    errors,
    latest: () => (lists.at(-1) ?? []).map((e) => e.address),
    async until(what, cond, ms = 5000) {
      const start = Date.now();
      while (!cond()) {
        if (Date.now() - start > ms) {
          throw new Error(
            `timed out after ${ms} ms waiting for ${what}; lists=${JSON.stringify(lists)} last errors (of ${errors.length})=${errors.slice(-3).map((e) => e.message).join(" | ")}`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      return Date.now() - start;
    },
  };
}

/** SIGKILLs `proc` (if still running) and resolves once it has exited. */
export async function killAndWait(proc: ChildProcess | undefined): Promise<void> {
  if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  proc.kill("SIGKILL");
  await exited;
}

// Test support: start and stop example inventory servers in-process on 127.0.0.1 (port 0).
import { startInventoryServer, type InventoryServer } from "../../examples/inventory/src/server.js";

/** Starts `count` servers named server-0 … server-(count-1). */
export async function startServers(count: number, delays: readonly number[] = []): Promise<InventoryServer[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => startInventoryServer({ name: `server-${i}`, delayMs: delays[i] ?? 0 })),
  );
}

/** A `static:///` target naming the servers. */
export function staticTarget(servers: readonly { port: number }[]): string {
  return `static:///${servers.map((s) => `127.0.0.1:${s.port}`).join(",")}`;
}

/** Closes every server, ignoring ones already closed. */
export async function closeAll(servers: readonly { close(): Promise<void> }[]): Promise<void> {
  await Promise.all(servers.map((s) => s.close()));
}

/** Polls `check` every 10 ms until it returns true or `timeoutMs` passes (then throws `what`). */
export async function eventually(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Client options without the response cache: tests that count which server answers (balancing,
 * ejection, failover) need every call to go out, not the GetItem cache the example proto declares.
 */
export const uncached = { cache: false } as const;

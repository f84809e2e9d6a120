// Test helper: what a serve() server still holds — open sessions, TCP connections, live timers —
// and a bounded poll until a probe reaches the wanted value.
import type { Server } from "@sluice/runtime";

/** Sessions of `server` not yet closed, counted from its 'session' events from now on. */
export function trackSessions(server: Server): { open(): number } {
  let open = 0;
  server.http2Server.on("session", (session) => {
    open++;
    session.once("close", () => open--);
  });
  return { open: () => open };
}

/** Open TCP connections of `server`. */
export const connections = (server: Server): Promise<number> =>
  new Promise((resolve) => server.http2Server.getConnections((_e, n) => resolve(n)));

/** Polls `probe` every 25 ms until it returns `want` or `ms` pass; returns its last value. */
export async function settle(probe: () => number | Promise<number>, want: number, ms: number): Promise<number> {
  let value = await probe();
  for (let waited = 0; value !== want && waited < ms; waited += 25) {
    await new Promise((r) => setTimeout(r, 25));
    value = await probe();
  }
  return value;
}

/**
 * Records every timer created through the global `setTimeout` from now on; `live()` counts those
 * neither fired nor cleared (node marks a finished Timeout `_destroyed`), `created()` all of them.
 * `stop()` restores the global.
 */
export function recordTimers(): { created(): number; live(): number; stop(): void } {
  const original = globalThis.setTimeout;
  const timers: Array<{ _destroyed?: boolean }> = [];
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    const timer = original(...args);
    timers.push(timer as unknown as { _destroyed?: boolean });
    return timer;
  }) as typeof setTimeout;
  return {
    created: () => timers.length,
    live: () => timers.filter((t) => t._destroyed !== true).length,
    stop: () => {
      globalThis.setTimeout = original;
    },
  };
}

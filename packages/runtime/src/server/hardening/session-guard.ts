// Timers that end connections a public server must not keep: one that never opens a stream, one
// idle past its timeout, and one that sent or received GOAWAY (destroyed after a grace period even
// if its peer never answers). A connection node itself sent GOAWAY on (e.g. COMPRESSION_ERROR for a
// huge header) emits nothing and has no open stream, so the first-request or idle timer ends it.
import type { ServerHttp2Session } from "node:http2";
import type { ServerHardening } from "./hardening-options.js";

/** The timeouts {@link guardSession} applies. @private */
export type SessionTimeouts = Pick<ServerHardening, "firstRequestTimeoutMs" | "idleTimeoutMs" | "goawayGraceMs">;

/**
 * Watches one session. It holds a single unref'd timer, armed only while the session has no open
 * streams (re-checked when it fires, so calls on a busy connection never touch it) or while it is
 * going away; every timer and listener is gone once the session closes.
 * @private
 */
export function guardSession(session: ServerHttp2Session, timeouts: SessionTimeouts, now: () => number = performance.now.bind(performance)): void {
  let open = 0;
  let seenStream = false;
  let idleSince = now();
  let goingAway = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  // The socket's own resetAndDestroy, bound to it through the session's socket proxy (which
  // refuses destroy() and is detached from the socket once the session is destroyed).
  const resetSocket = session.socket.resetAndDestroy;
  /**
   * Destroys the session and resets its socket: a session node closed itself after GOAWAY ends its
   * socket gracefully and then waits for the peer's FIN, which a stalled peer never sends.
   */
  const destroy = (): void => {
    // The socket first: its 'close' destroys the session, which then emits 'close' as usual.
    resetSocket();
    if (!session.destroyed) session.destroy();
  };
  const arm = (delayMs: number, fire: () => void): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(fire, delayMs);
    timer.unref();
  };
  /** GOAWAY from either side: the session may finish its streams for `goawayGraceMs`, no longer. */
  const goAway = (): void => {
    if (goingAway) return;
    goingAway = true;
    if (!session.closed) session.close();
    arm(timeouts.goawayGraceMs, destroy);
  };
  const idleLimit = (): number => (seenStream ? timeouts.idleTimeoutMs : timeouts.firstRequestTimeoutMs);
  const onIdleTimer = (): void => {
    timer = undefined;
    if (goingAway || open > 0) return;
    const remaining = idleSince + idleLimit() - now();
    if (remaining > 0) armIdle(remaining);
    else goAway();
  };
  const armIdle = (delayMs: number): void => {
    if (idleLimit() === 0) return;
    arm(Math.max(1, Math.ceil(delayMs)), onIdleTimer);
  };

  armIdle(timeouts.firstRequestTimeoutMs);
  session.on("stream", (stream) => {
    open++;
    seenStream = true;
    stream.once("close", () => {
      open--;
      if (open > 0 || goingAway) return;
      idleSince = now();
      if (timer === undefined) armIdle(timeouts.idleTimeoutMs);
    });
  });
  session.once("goaway", goAway);
  session.once("close", () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  });
}

// One endpoint's HTTP/2 connection for the fast path: a single reused ClientHttp2Session, replaced
// after GOAWAY or loss, with keepalive PINGs, an idle timeout and the small state interface that
// subchannels read (the same shape as connect-node's Http2SessionManager).
import * as http2 from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { maxTimerDelayMs } from "./deadline-timer.js";
import { connectionError, errorFromNodeReason } from "./node-errors.js";
import { clientFlowControlDefaults, openConnectionWindow, resolveFlowControl, withStreamWindow, type FlowControlOptions } from "./flow-control.js";

/**
 * Something that happened to the session an endpoint connection is using: the server sent GOAWAY
 * (it takes no new streams on it), the session closed, or it failed. Sessions already retired
 * (draining after an earlier GOAWAY) report nothing.
 */
export type ConnectionEvent =
  | { readonly type: "goaway"; readonly errorCode: number }
  | { readonly type: "close" }
  | { readonly type: "error"; readonly error: Error };

/** What a subchannel needs of an endpoint's connection; connect-node's Http2SessionManager has the same shape. */
export interface EndpointConnection {
  /** Connects when not connected; verifies a connected session with a PING. */
  connect(): Promise<"open" | "idle" | "error">;
  /** Current state: no session (`closed`), `connecting`, `open` (streams active), `idle`, `error` (last attempt failed). */
  state(): "closed" | "connecting" | "open" | "idle" | "verifying" | "error";
  /** Closes every session now (calls in flight fail) and refuses new calls. */
  abort(reason?: Error): void;
  /**
   * Calls `listener` when the session in use receives GOAWAY, closes or fails, so the subchannel
   * stops picking the endpoint before the next call instead of learning it from a failed call.
   * Returns the function that removes the listener.
   */
  onEvent(listener: (event: ConnectionEvent) => void): () => void;
}

/** Keepalive and idle settings of a {@link SluiceConnection}. */
export interface SluiceConnectionOptions {
  /** Send a PING this often while streams are open (default: never). */
  readonly pingIntervalMs?: number;
  /** Destroy the session when a PING is not answered within this time (default 15 s). */
  readonly pingTimeoutMs?: number;
  /** Also ping sessions without open streams (default false). */
  readonly pingIdleConnection?: boolean;
  /** Close a session that has had no streams for this long (default 15 min). */
  readonly idleConnectionTimeoutMs?: number;
  /** Give up a connection attempt after this long (default 20 s). */
  readonly connectTimeoutMs?: number;
  /**
   * Receive windows of each session (default 1 MiB per stream, 2 MiB per connection; see
   * docs/TRANSPORTS.md). A `settings.initialWindowSize` in `http2SessionOptions` wins over the stream window.
   */
  readonly flowControl?: FlowControlOptions;
  /** Passed to `http2.connect`. */
  readonly http2SessionOptions?: http2.ClientSessionOptions;
}

/** A session and its bookkeeping. @private */
interface Entry {
  readonly session: http2.ClientHttp2Session;
  active: number;
  connected: boolean;
  dead: boolean;
  idleSince: number;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  pingTimer: ReturnType<typeof setInterval> | undefined;
  ready: Promise<boolean>;
}

/** The fast path's connection to one endpoint. */
export interface SluiceConnection extends EndpointConnection {
  /** `host:port` of the endpoint. */
  readonly authority: string;
  /**
   * Opens a stream on the current session, starting a new session when there is none or the
   * current one has received GOAWAY. Throws a ConnectError: UNAVAILABLE when it cannot, INVALID_ARGUMENT
   * (the session untouched) when node refuses the headers.
   */
  request(headers: http2.OutgoingHttpHeaders): http2.ClientHttp2Stream;
  /** Sessions created so far (for tests and stats). */
  readonly sessionsCreated: number;
  /** The keepalive and idle settings the connection was created with. */
  readonly options: SluiceConnectionOptions;
  /** Runs `hook` when the connection is aborted (at once when it already was), e.g. to close a companion transport. */
  onAbort(hook: (reason: Error) => void): void;
}

/**
 * Codes of the errors node's `session.request` throws for headers it will not send: the caller's
 * fault, not the session's. (ERR_INVALID_HTTP_TOKEN even makes node destroy the session, which is
 * why request headers are validated before they get here.)
 */
const headerErrorCodes = new Set([
  "ERR_HTTP2_INVALID_CONNECTION_HEADERS",
  "ERR_HTTP2_HEADER_SINGLE_VALUE",
  "ERR_HTTP2_INVALID_HEADER_VALUE",
  "ERR_HTTP2_INVALID_PSEUDOHEADER",
  "ERR_INVALID_HTTP_TOKEN",
  "ERR_INVALID_CHAR",
]);

/**
 * Creates the connection of one endpoint, e.g. `createSluiceConnection("http://127.0.0.1:8081")`.
 * Nothing connects until `connect()` or the first call.
 */
export function createSluiceConnection(baseUrl: string, options: SluiceConnectionOptions = {}): SluiceConnection {
  const url = new URL(baseUrl);
  const origin = url.origin;
  const secure = url.protocol === "https:";
  const pingTimeoutMs = options.pingTimeoutMs ?? 15_000;
  const idleTimeoutMs = options.idleConnectionTimeoutMs ?? 15 * 60_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 20_000;
  for (const [field, value] of [
    ["pingIntervalMs", options.pingIntervalMs],
    ["pingTimeoutMs", options.pingTimeoutMs],
    ["idleConnectionTimeoutMs", options.idleConnectionTimeoutMs],
    ["connectTimeoutMs", options.connectTimeoutMs],
  ] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new Error(`${field}: must be a finite number > 0, got ${String(value)}`);
    }
  }
  const flow = resolveFlowControl(options.flowControl, clientFlowControlDefaults, "flowControl");
  const sessionOptions: http2.ClientSessionOptions = {
    ...options.http2SessionOptions,
    settings: withStreamWindow(options.http2SessionOptions?.settings, flow),
  };
  let current: Entry | undefined;
  let aborted = false;
  let failed = false;
  let verifying = false;
  let created = 0;
  /** Every session not yet closed: the current one and those draining after GOAWAY or retirement. */
  const live = new Set<Entry>();
  const abortHooks: ((reason: Error) => void)[] = [];
  const eventListeners = new Set<(event: ConnectionEvent) => void>();
  /** Reports `event` when it concerns the session in use (not one already retired). */
  const emitFor = (entry: Entry, event: ConnectionEvent): void => {
    if (entry.dead || aborted) return;
    for (const listener of eventListeners) listener(event);
  };
  let abortReason: Error | undefined;

  /** Takes `entry` out of use and closes its session once its streams are done. */
  const retire = (entry: Entry): void => {
    entry.dead = true;
    if (current === entry) current = undefined;
    if (!entry.session.closed && !entry.session.destroyed) entry.session.close();
  };

  const stopTimers = (entry: Entry): void => {
    if (entry.idleTimer !== undefined) clearTimeout(entry.idleTimer);
    if (entry.pingTimer !== undefined) clearInterval(entry.pingTimer);
    entry.idleTimer = entry.pingTimer = undefined;
  };

  /**
   * PINGs `entry`: "ok", "error" (node refused or failed the PING: the session is closing, e.g.
   * after GOAWAY) or "timeout" (no answer in time: the connection is dead, and the session is
   * destroyed, failing its streams).
   */
  const ping = (entry: Entry, timeoutMs: number): Promise<"ok" | "error" | "timeout"> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        retire(entry);
        entry.session.destroy(new ConnectError("PING timed out", Code.Unavailable));
        resolve("timeout");
      }, timeoutMs);
      timer.unref();
      let sent = false;
      try {
        sent = entry.session.ping((error) => {
          clearTimeout(timer);
          resolve(error === null ? "ok" : "error");
        });
      } catch {
        sent = false;
      }
      if (!sent) {
        clearTimeout(timer);
        resolve("error");
      }
    });

  const armIdle = (entry: Entry, delayMs: number): void => {
    // setTimeout fires at once beyond 2^31-1 ms; the callback re-arms for the rest.
    entry.idleTimer = setTimeout(() => {
      entry.idleTimer = undefined;
      if (entry.dead || entry.active > 0) return;
      const idleFor = performance.now() - entry.idleSince;
      if (idleFor >= idleTimeoutMs) {
        retire(entry);
        entry.session.close();
      } else {
        armIdle(entry, idleTimeoutMs - idleFor);
      }
    }, Math.min(delayMs, maxTimerDelayMs));
    entry.idleTimer.unref();
  };

  const open = (): Entry => {
    created++;
    const session = http2.connect(origin, sessionOptions);
    let settle: (ok: boolean) => void = () => {};
    const entry: Entry = {
      session,
      active: 0,
      connected: false,
      dead: false,
      idleSince: performance.now(),
      idleTimer: undefined,
      pingTimer: undefined,
      ready: new Promise<boolean>((resolve) => (settle = resolve)),
    };
    current = entry;
    live.add(entry);
    failed = false;
    const connectTimer = setTimeout(() => {
      if (!entry.connected) session.destroy(new ConnectError("connect timed out", Code.Unavailable));
    }, connectTimeoutMs);
    connectTimer.unref();
    // Every session always has an 'error' listener: a GOAWAY or reset on an idle session must never
    // surface as an uncaught exception.
    session.on("error", (error: Error) => {
      emitFor(entry, { type: "error", error });
      retire(entry);
      if (!entry.connected) failed = true;
    });
    session.on("goaway", (errorCode: number) => {
      emitFor(entry, { type: "goaway", errorCode });
      retire(entry);
    });
    // Over TLS the connection counts as made once the server's SETTINGS arrive: with TLS 1.3 the
    // client's handshake ends before the server has checked the client's certificate, and a
    // refused client learns it only from the alert that follows.
    session.once("connect", () => openConnectionWindow(session, flow));
    session.once(secure ? "remoteSettings" : "connect", () => {
      clearTimeout(connectTimer);
      entry.connected = true;
      settle(true);
      if (options.pingIntervalMs !== undefined) {
        let inFlight = false;
        entry.pingTimer = setInterval(() => {
          if (inFlight || entry.dead || (entry.active === 0 && options.pingIdleConnection !== true)) return;
          inFlight = true;
          void ping(entry, pingTimeoutMs).then(() => (inFlight = false));
        }, options.pingIntervalMs);
        entry.pingTimer.unref();
      }
    });
    session.once("close", () => {
      clearTimeout(connectTimer);
      if (entry.connected) emitFor(entry, { type: "close" });
      live.delete(entry);
      retire(entry);
      stopTimers(entry);
      if (!entry.connected) failed = true;
      settle(false);
    });
    session.unref();
    armIdle(entry, idleTimeoutMs);
    return entry;
  };

  const usable = (entry: Entry | undefined): entry is Entry =>
    entry !== undefined && !entry.dead && !entry.session.closed && !entry.session.destroyed;

  const track = (entry: Entry, stream: http2.ClientHttp2Stream): void => {
    if (entry.active++ === 0) entry.session.ref();
    stream.once("close", () => {
      if (--entry.active === 0) {
        entry.idleSince = performance.now();
        if (!entry.session.destroyed) entry.session.unref();
        if (entry.idleTimer === undefined && !entry.dead) armIdle(entry, idleTimeoutMs);
      }
    });
  };

  /** Whether `session.request` threw because of the request itself rather than the session. */
  const callerError = (entry: Entry, error: unknown): boolean => {
    const code = (error as { code?: unknown } | undefined)?.code;
    if (typeof code === "string" && headerErrorCodes.has(code)) return true;
    return !entry.session.closed && !entry.session.destroyed;
  };

  const connection: SluiceConnection = {
    authority: url.host,
    get sessionsCreated() {
      return created;
    },
    options,
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onAbort(hook) {
      if (abortReason !== undefined) hook(abortReason);
      else abortHooks.push(hook);
    },
    state() {
      if (aborted) return "closed";
      if (verifying) return "verifying";
      const entry = current;
      if (!usable(entry)) return failed ? "error" : "closed";
      if (!entry.connected) return "connecting";
      return entry.active > 0 ? "open" : "idle";
    },
    async connect() {
      if (aborted) return "error";
      let entry = current;
      if (usable(entry) && entry.connected) {
        verifying = true;
        const answer = await ping(entry, Math.min(pingTimeoutMs, 5_000));
        verifying = false;
        if (answer === "ok" && usable(entry)) return entry.active > 0 ? "open" : "idle";
        // A PING node could not send (the session is closing, e.g. after GOAWAY) only takes the
        // session out of use: its streams in flight finish there. A PING that timed out has
        // already destroyed the session.
        retire(entry);
      }
      if (aborted) return "error";
      entry = usable(current) ? current : open();
      const ok = await entry.ready;
      if (!ok || aborted) return "error";
      return entry.active > 0 ? "open" : "idle";
    },
    abort(reason) {
      if (aborted) return;
      aborted = true;
      current = undefined;
      // A reason makes every open stream fail UNAVAILABLE rather than end with no status.
      abortReason = reason ?? new ConnectError("connection closed", Code.Unavailable);
      for (const entry of live) {
        entry.dead = true;
        stopTimers(entry);
        entry.session.destroy(abortReason);
      }
      live.clear();
      for (const hook of abortHooks.splice(0)) hook(abortReason);
    },
    request(headers) {
      if (aborted) throw new ConnectError("connection closed", Code.Unavailable);
      let entry = usable(current) ? current : open();
      let stream: http2.ClientHttp2Stream;
      try {
        stream = entry.session.request(headers);
      } catch (error) {
        if (callerError(entry, error)) throw headerError(error);
        // The session received GOAWAY or closed between our check and the request: once more on a
        // fresh session.
        retire(entry);
        entry = open();
        try {
          stream = entry.session.request(headers);
        } catch (error) {
          if (callerError(entry, error)) throw headerError(error);
          throw connectionError(url.host, errorFromNodeReason(error));
        }
      }
      track(entry, stream);
      return stream;
    },
  };
  return connection;
}

/** A request node refused to send: INVALID_ARGUMENT (the caller's headers; the endpoint is not at fault). */
function headerError(error: unknown): ConnectError {
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectError(`invalid request headers: ${message}`, Code.InvalidArgument, undefined, undefined, error);
}

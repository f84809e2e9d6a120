// connect-node's Http2SessionManager with two additions: every HTTP/2 session it opens keeps an
// 'error' listener for life, so an error node raises after the manager stopped listening (a PING
// timeout, or a GOAWAY on an idle session, connect-es issue 1768) can never crash the process; and
// GOAWAY, close and error of its sessions are reported as connection events. A new TLS session is
// reported connected only once the server answers a PING (the server accepted the handshake).
// Its sessions get the same receive windows as the fast path's.
import type * as http2 from "node:http2";
import { Http2SessionManager } from "@connectrpc/connect-node";
import type { ConnectionEvent, EndpointConnection } from "./endpoint-connection.js";
import { readySessionOf } from "../internals/private-apis.js";
import { clientFlowControlDefaults, openConnectionWindow, resolveFlowControl, withStreamWindow, type FlowControlOptions, type ResolvedFlowControl } from "./flow-control.js";

/**
 * An `Http2SessionManager` whose sessions can never raise an uncaught 'error'.
 *
 * @private
 */
export class GuardedSessionManager extends Http2SessionManager implements EndpointConnection {
  private readonly guarded = new WeakSet<http2.ClientHttp2Session>();
  private readonly listeners = new Set<(event: ConnectionEvent) => void>();
  private readonly reported = new WeakSet<http2.ClientHttp2Session>();
  private readonly flow: ResolvedFlowControl;

  /**
   * `url`, `pingOptions` and `sessionOptions` as connect-node's manager takes them; `flowControl`:
   * the sessions' receive windows (default: the fast path's client defaults).
   */
  constructor(
    url: string | URL,
    pingOptions?: ConstructorParameters<typeof Http2SessionManager>[1],
    sessionOptions?: http2.ClientSessionOptions,
    flowControl?: FlowControlOptions,
  ) {
    const flow = resolveFlowControl(flowControl, clientFlowControlDefaults, "flowControl");
    super(url, pingOptions, { ...sessionOptions, settings: withStreamWindow(sessionOptions?.settings, flow) });
    this.flow = flow;
  }

  /** See {@link EndpointConnection.onEvent}. */
  onEvent(listener: (event: ConnectionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(session: http2.ClientHttp2Session, event: ConnectionEvent): void {
    // One report per session: after GOAWAY the session only drains.
    if (this.reported.has(session)) return;
    this.reported.add(session);
    for (const listener of this.listeners) listener(event);
  }

  private guard(session: http2.ClientHttp2Session | undefined): void {
    if (session === undefined || this.guarded.has(session)) return;
    this.guarded.add(session);
    openConnectionWindow(session, this.flow);
    // The manager reports the error through its own state and the streams' errors; this listener
    // also keeps node from treating an error emitted after that as unhandled.
    session.on("error", (error: Error) => this.emit(session, { type: "error", error }));
    session.on("goaway", (errorCode: number) => this.emit(session, { type: "goaway", errorCode }));
    session.once("close", () => this.emit(session, { type: "close" }));
  }

  override async connect(): Promise<"open" | "idle" | "error"> {
    const result = await super.connect();
    const session = readySessionOf(this);
    const fresh = session !== undefined && !this.guarded.has(session);
    this.guardCurrent();
    // A new TLS session counts as made once the server answers a PING: with TLS 1.3 the client's
    // handshake ends before the server has checked the client's certificate, and a refused
    // client learns it only from the alert that follows.
    if (result !== "error" && fresh && session.encrypted === true && !(await answersPing(session))) return "error";
    return result;
  }

  override async request(
    method: string,
    path: string,
    headers: http2.OutgoingHttpHeaders,
    options: Omit<http2.ClientSessionRequestOptions, "signal">,
  ): Promise<http2.ClientHttp2Stream> {
    const stream = await super.request(method, path, headers, options);
    this.guard(stream.session as http2.ClientHttp2Session | undefined);
    return stream;
  }

  private guardCurrent(): void {
    this.guard(readySessionOf(this));
  }
}

/** Whether `session` answers a PING before it fails or closes. */
function answersPing(session: http2.ClientHttp2Session): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = (): void => resolve(false);
    session.once("close", onClose);
    try {
      const sent = session.ping((error) => {
        session.off("close", onClose);
        resolve(error === null);
      });
      if (!sent) {
        session.off("close", onClose);
        resolve(false);
      }
    } catch {
      session.off("close", onClose);
      resolve(false);
    }
  });
}

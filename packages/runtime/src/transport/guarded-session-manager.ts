// connect-node's Http2SessionManager with one fix: every HTTP/2 session it opens keeps an 'error'
// listener for life, so an error node raises after the manager stopped listening (a PING timeout,
// or a GOAWAY on an idle session, connect-es issue 1768) can never crash the process.
import type * as http2 from "node:http2";
import { Http2SessionManager } from "@connectrpc/connect-node";
import { readySessionOf } from "../internals/private-apis.js";

const guarded = new WeakSet<http2.ClientHttp2Session>();

function guard(session: http2.ClientHttp2Session | undefined): void {
  if (session === undefined || guarded.has(session)) return;
  guarded.add(session);
  // The manager reports the error through its own state and the streams' errors; this listener
  // only keeps node from treating an error emitted after that as unhandled.
  session.on("error", () => {});
}

/**
 * An `Http2SessionManager` whose sessions can never raise an uncaught 'error'.
 *
 * @private
 */
export class GuardedSessionManager extends Http2SessionManager {
  override async connect(): Promise<"open" | "idle" | "error"> {
    const result = await super.connect();
    this.guardCurrent();
    return result;
  }

  override async request(
    method: string,
    path: string,
    headers: http2.OutgoingHttpHeaders,
    options: Omit<http2.ClientSessionRequestOptions, "signal">,
  ): Promise<http2.ClientHttp2Stream> {
    const stream = await super.request(method, path, headers, options);
    guard(stream.session as http2.ClientHttp2Session | undefined);
    return stream;
  }

  private guardCurrent(): void {
    guard(readySessionOf(this));
  }
}

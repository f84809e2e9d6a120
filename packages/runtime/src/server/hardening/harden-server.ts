// Applies the hardening settings to serve()'s HTTP/2 server: SETTINGS advertised to clients, the
// connection cap, the session timers, and deadlines too long for a timer before Connect's adapter.
import type { Http2Server, IncomingHttpHeaders, ServerOptions } from "node:http2";
import { fitDeadlineToTimer } from "./long-deadline.js";
import type { ServerHardening } from "./hardening-options.js";
import { guardSession } from "./session-guard.js";

/** node `http2.createServer` options with the stream and header list limits as SETTINGS. @private */
export function hardenHttp2Options(options: ServerOptions | undefined, hardening: ServerHardening): ServerOptions {
  return {
    ...options,
    settings: {
      ...options?.settings,
      maxConcurrentStreams: hardening.maxConcurrentStreams,
      maxHeaderListSize: hardening.maxHeaderListBytes,
    },
  };
}

/** Caps the connections of `server` and guards each of its sessions with the timers. @private */
export function hardenServer(server: Http2Server, hardening: ServerHardening): void {
  server.maxConnections = hardening.maxConnections;
  server.on("session", (session) => guardSession(session, hardening));
}

/**
 * Connect's node adapter behind a filter that drops (or, over `maxTimeoutMs`, clamps) deadlines too
 * long for `setTimeout`: the adapter would otherwise fail such calls at once with DEADLINE_EXCEEDED.
 * @private
 */
export function withDeadlinesFitForTimers<Req extends { readonly headers: IncomingHttpHeaders }, Res>(
  handler: (request: Req, response: Res) => void,
  maxTimeoutMs: number | undefined,
): (request: Req, response: Res) => void {
  return (request, response) => {
    fitDeadlineToTimer(request.headers, maxTimeoutMs);
    handler(request, response);
  };
}

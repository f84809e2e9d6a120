// HTTP/2 receive windows of a session: the per-stream window advertised in SETTINGS and the
// connection window, with the client's and the server's defaults, validation, and applying them.
import type { Http2Session, Settings } from "node:http2";

/** How much a peer may send before it must wait for this side to read: HTTP/2 flow control. */
export interface FlowControlOptions {
  /**
   * Bytes a peer may send on one stream before this side has read them (SETTINGS_INITIAL_WINDOW_SIZE):
   * what one stalled reader lets the other side buffer here, per stream.
   */
  readonly streamWindowBytes?: number;
  /**
   * Bytes a peer may have in flight on the whole connection (the connection-level window). Node takes
   * them off the socket at once, so this bounds in-flight bytes, not memory; keep it at least the
   * stream window or one stream cannot use its own.
   */
  readonly connectionWindowBytes?: number;
}

/** Flow-control options with every field set. */
export type ResolvedFlowControl = Required<FlowControlOptions>;

/** HTTP/2's initial window and node's default for both windows. */
export const http2DefaultWindowBytes = 65_535;
/** Largest window HTTP/2 allows (2^31 - 1). */
export const http2MaxWindowBytes = 2 ** 31 - 1;

const MIB = 1024 * 1024;

/**
 * A client's receive windows: 1 MiB per stream (gRPC Java's default window) and 2 MiB per
 * connection. With HTTP/2's 65,535 bytes a server stream of 64 KiB messages waits for a
 * WINDOW_UPDATE round trip on every message; with 1 MiB about 16 such messages are in flight.
 */
export const clientFlowControlDefaults: ResolvedFlowControl = Object.freeze({
  streamWindowBytes: MIB,
  connectionWindowBytes: 2 * MIB,
});

/**
 * A server's receive windows: HTTP/2's 65,535 bytes per stream, because a public server with 250
 * streams per connection would otherwise let one client park 250 × the window in its memory; and
 * 2 MiB per connection, which costs no memory (node reads the connection window off the socket at
 * once) and keeps many concurrent uploads from sharing 64 KiB.
 */
export const serverFlowControlDefaults: ResolvedFlowControl = Object.freeze({
  streamWindowBytes: http2DefaultWindowBytes,
  connectionWindowBytes: 2 * MIB,
});

/**
 * Validates `options` and fills in `defaults`. Throws naming the field (under `path`, e.g.
 * `"flowControl"`) and its accepted range.
 */
export function resolveFlowControl(options: FlowControlOptions | undefined, defaults: ResolvedFlowControl, path: string): ResolvedFlowControl {
  if (options === undefined) return defaults;
  if (typeof options !== "object" || options === null) {
    throw new Error(`${path}: must be an object such as { streamWindowBytes: 1048576, connectionWindowBytes: 2097152 }, got ${String(options)}`);
  }
  const resolved = { ...defaults };
  for (const field of ["streamWindowBytes", "connectionWindowBytes"] as const) {
    const value = options[field];
    if (value === undefined) continue;
    if (!(Number.isInteger(value) && value >= http2DefaultWindowBytes && value <= http2MaxWindowBytes)) {
      throw new Error(`${path}.${field}: must be an integer from ${http2DefaultWindowBytes} to ${http2MaxWindowBytes} (bytes), got ${String(value)}`);
    }
    resolved[field] = value;
  }
  return resolved;
}

/**
 * The SETTINGS that advertise `flow`'s stream window, merged under `settings` (a window set there
 * explicitly, e.g. in `http2SessionOptions.settings`, wins).
 */
export function withStreamWindow(settings: Settings | undefined, flow: ResolvedFlowControl): Settings {
  return { initialWindowSize: flow.streamWindowBytes, ...settings };
}

/**
 * Opens `session`'s connection window to `flow.connectionWindowBytes` (node starts every session at
 * 65,535 and has no option for it). Call it once the session is set up: a client's on 'connect', a
 * server's on 'session'. A session already closing is left alone.
 */
export function openConnectionWindow(session: Http2Session, flow: ResolvedFlowControl): void {
  if (flow.connectionWindowBytes === http2DefaultWindowBytes || session.destroyed || session.closed) return;
  session.setLocalWindowSize(flow.connectionWindowBytes);
}

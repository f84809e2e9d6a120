// The server hardening options of serve() (per-connection stream and header limits, connection
// count, first-request, idle and stalled-request timeouts), their public-endpoint defaults and validation.

/** The longest delay node's `setTimeout` honours; longer timeouts are refused. */
const maxDelayMs = 2_147_483_647;

/**
 * Limits that protect a server on a public endpoint. Every field is optional; unset fields take the
 * defaults in {@link defaultHardening}. Timeouts are in milliseconds; 0 turns a timeout off.
 */
export interface ServerHardeningOptions {
  /**
   * Streams one connection may have open at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS); clients
   * queue calls beyond it. Default 250, as Go's HTTP/2 server.
   */
  readonly maxConcurrentStreams?: number;
  /**
   * Largest request header list, in bytes counted as HTTP/2 does (name + value + 32 per field),
   * advertised as SETTINGS_MAX_HEADER_LIST_SIZE. A larger request is refused before any handler
   * runs: RESOURCE_EXHAUSTED (gRPC) or HTTP 431 from serve(), or RST_STREAM ENHANCE_YOUR_CALM from
   * node, which gRPC clients also report as RESOURCE_EXHAUSTED. Default 16384.
   */
  readonly maxHeaderListBytes?: number;
  /** Open TCP connections; connections beyond it are closed at once. Default 10000. */
  readonly maxConnections?: number;
  /** How long a new connection may take to open its first stream before it gets GOAWAY. Default 30000. */
  readonly firstRequestTimeoutMs?: number;
  /** How long a connection may stay without open streams before it gets GOAWAY. Default 300000. */
  readonly idleTimeoutMs?: number;
  /**
   * How long a request that the client has not finished sending may go without receiving a byte
   * before its stream is reset with CANCEL (the handler's signal aborts). Default 300000.
   */
  readonly requestIdleTimeoutMs?: number;
  /**
   * How long a connection that sent or received GOAWAY may keep running its streams before it is
   * destroyed (with its socket). Default 10000.
   */
  readonly goawayGraceMs?: number;
}

/** The resolved hardening settings: every field set. */
export type ServerHardening = Required<ServerHardeningOptions>;

/** The defaults of {@link ServerHardeningOptions}, meant for a server reachable from the internet. */
export const defaultHardening: ServerHardening = Object.freeze({
  maxConcurrentStreams: 250,
  maxHeaderListBytes: 16_384,
  maxConnections: 10_000,
  firstRequestTimeoutMs: 30_000,
  idleTimeoutMs: 300_000,
  requestIdleTimeoutMs: 300_000,
  goawayGraceMs: 10_000,
});

type Field = keyof ServerHardening;

/** The accepted integer range of each field; `off` marks timeouts that also accept 0. */
const ranges: Record<Field, { readonly min: number; readonly max: number; readonly off: boolean; readonly unit: string }> = {
  maxConcurrentStreams: { min: 1, max: maxDelayMs, off: false, unit: "" },
  maxHeaderListBytes: { min: 1024, max: 16_777_216, off: false, unit: " (bytes)" },
  maxConnections: { min: 1, max: 1_000_000, off: false, unit: "" },
  firstRequestTimeoutMs: { min: 1, max: maxDelayMs, off: true, unit: " (milliseconds)" },
  idleTimeoutMs: { min: 1, max: maxDelayMs, off: true, unit: " (milliseconds)" },
  requestIdleTimeoutMs: { min: 1, max: maxDelayMs, off: true, unit: " (milliseconds)" },
  goawayGraceMs: { min: 0, max: maxDelayMs, off: false, unit: " (milliseconds)" },
};

/**
 * Validates `options` and fills in the defaults. Throws naming the field and its accepted range.
 *
 * @example
 * resolveHardening({ idleTimeoutMs: 0 }); // idle connections are never closed
 * resolveHardening({ maxConnections: 0 }); // throws "hardening.maxConnections: must be an integer from 1 to 1000000, got 0"
 */
export function resolveHardening(options: ServerHardeningOptions | undefined): ServerHardening {
  if (options === undefined) return defaultHardening;
  if (options === null || typeof options !== "object") {
    throw new Error(`hardening: must be an object of limits, got ${String(options)}`);
  }
  const known = Object.keys(ranges);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`hardening.${key}: unknown option; accepted: ${known.join(", ")}`);
  }
  const resolved = { ...defaultHardening };
  for (const field of known as Field[]) {
    const value = options[field];
    if (value === undefined) continue;
    const { min, max, off, unit } = ranges[field];
    const ok = Number.isInteger(value) && ((value >= min && value <= max) || (off && value === 0));
    if (!ok) {
      const accepted = `${off ? "0 (off) or " : ""}an integer from ${min} to ${max}${unit}`;
      throw new Error(`hardening.${field}: must be ${accepted}, got ${String(value)}`);
    }
    resolved[field] = value;
  }
  return resolved;
}

// Lean gRPC load generator for open-loop scenarios: unary Echo over raw node:http2 sessions with the
// request frame encoded once, each call classified by its grpc-status (success, shed, other).
import * as http2 from "node:http2";
import { intOption, type BenchCaller, type CreateCaller } from "../harness/contracts.js";
import type { JsonObject } from "../harness/scenario.js";
import { UNARY_PAYLOAD_BYTES } from "./call-args.js";
import { framedMessage } from "./raw-stream-wire.js";
import { serverStampsOf, wallClockMs, type RejectStamps } from "./reject-stamps.js";

/** gRPC status codes this client raises itself. */
const DEADLINE_EXCEEDED = 4;
const UNAVAILABLE = 14;

/** A failed call: only its gRPC status code matters to the open loop (see open-loop.ts `isShed`). */
export interface CallFailure extends Error {
  readonly code: number;
}

const failures = new Map<number, CallFailure>();

/** One shared error per status code: a stack trace per failed call would cost the load generator more than the call. */
function failureOf(code: number): CallFailure {
  let failure = failures.get(code);
  if (failure === undefined) failures.set(code, (failure = Object.assign(new Error(`grpc-status ${code}`), { code })));
  return failure;
}

/** The request headers of an Echo call with a `timeoutMs` deadline (0: none), made once per deadline. */
function headersFor(timeoutMs: number): http2.OutgoingHttpHeaders {
  return {
    ":method": "POST",
    ":path": "/bench.v1.EchoService/Echo",
    "content-type": "application/grpc+proto",
    te: "trailers",
    ...(timeoutMs > 0 ? { "grpc-timeout": `${timeoutMs}m` } : {}),
  };
}

/** Opens a session to `port`; requests made before it connects wait for it. */
function open(port: number): http2.ClientHttp2Session {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on("error", () => {}); // a session error fails its streams, which the calls report
  session.on("goaway", (code: number) => {
    if (code !== http2.constants.NGHTTP2_NO_ERROR) process.stderr.write(`lean-grpc-client: GOAWAY with error code ${code}\n`);
  });
  return session;
}

async function connected(session: http2.ClientHttp2Session): Promise<http2.ClientHttp2Session> {
  await new Promise<void>((resolve, reject) => {
    session.once("connect", () => resolve());
    session.once("error", reject);
  });
  return session;
}

/** Streams at most open on one session: under the server's SETTINGS_MAX_CONCURRENT_STREAMS (250 for serve()). */
const MAX_OPEN_PER_SESSION = 200;

/** A call not started yet: what starts it, and what fails it when its deadline passes first. */
interface Waiting {
  start(): void;
  cancelled: boolean;
}

/** One HTTP/2 session and the calls waiting for one of its stream slots. */
interface Lane {
  session: http2.ClientHttp2Session;
  open: number;
  readonly waiting: Waiting[];
}

/**
 * Options: `connections` (default 2), HTTP/2 sessions to the first port opened at the start and
 * used in turn; `maxConnections` (default `connections`): when every session has
 * {@link MAX_OPEN_PER_SESSION} streams open, another session is opened, up to this many, before a
 * call waits for a stream slot (as a production client adds connections rather than queue calls
 * behind slow ones). Unary Echo only; call argument `timeoutMs` is the deadline, sent as
 * `grpc-timeout` and kept here too (the call fails DEADLINE_EXCEEDED then, whether or not the
 * server has answered). A call settles when
 * its grpc-status arrives (in the trailers, or in the headers of a Trailers-Only answer): it
 * resolves 1 on status 0 with a response message, and otherwise rejects with a
 * {@link CallFailure} carrying the status (UNAVAILABLE when the stream ended without one).
 *
 * Three habits of node:http2 are kept out of the way. Past the server's concurrent-stream limit,
 * node queues new streams inside the session and was seen to stop sending them for seconds; so
 * each session opens at most {@link MAX_OPEN_PER_SESSION} streams; once all `maxConnections` are
 * that full, later calls wait here, in order, for a slot. A server resets a stream it answered
 * early (a shed) with RST_STREAM NO_ERROR, after which node never closes the client side; so a
 * call lets its stream go once it has its status. And node's server closes a connection that resets more than 1,000 streams in a
 * burst (then 33/s), its guard against the "rapid reset" attack, which a client cancelling every
 * call that overran its deadline trips at 4× (GOAWAY INTERNAL_ERROR, seen in a --quick run); so
 * this client resets no stream: the server holds the same deadline and ends the stream itself.
 */
export const createCaller: CreateCaller = (ports, options) => createLeanCaller(ports, options);

/**
 * The caller of {@link createCaller}; `onReject`, if given, gets the stamps of every call that
 * ends shed (not of one that already failed its deadline) when the answer carries the server's
 * stamps (see reject-stamps.ts), for the reject-timing tool.
 */
export async function createLeanCaller(ports: readonly number[], options: JsonObject, onReject?: (stamps: RejectStamps) => void): Promise<BenchCaller> {
  const connections = intOption(options, "connections", 2);
  if (connections < 1) throw new Error(`option "connections" must be >= 1, got ${connections}`);
  const maxConnections = intOption(options, "maxConnections", connections);
  if (maxConnections < connections) throw new Error(`option "maxConnections" must be >= connections (${connections}), got ${maxConnections}`);
  const lanes: Lane[] = await Promise.all(
    Array.from({ length: connections }, async () => ({ session: await connected(open(ports[0] as number)), open: 0, waiting: [] })),
  );
  let next = 0;
  /** The next session in turn with a free stream slot and no call waiting; else a new one; else the shortest wait. */
  const pickLane = (): Lane => {
    for (let tried = 0; tried < lanes.length; tried++) {
      const lane = lanes[next] as Lane;
      next = (next + 1) % lanes.length;
      if (lane.open < MAX_OPEN_PER_SESSION && lane.waiting.length === 0) return lane;
    }
    if (lanes.length < maxConnections) {
      const lane: Lane = { session: open(ports[0] as number), open: 0, waiting: [] }; // its requests wait for it to connect
      lanes.push(lane);
      return lane;
    }
    return lanes.reduce((best, lane) => (lane.waiting.length < best.waiting.length ? lane : best));
  };
  const frame = framedMessage(UNARY_PAYLOAD_BYTES); // an EchoRequest frame: the same bytes as an EchoResponse
  const headersByTimeout = new Map<number, http2.OutgoingHttpHeaders>();
  const timeoutOf = (args: JsonObject): number => intOption(args, "timeoutMs", 0);

  const release = (lane: Lane): void => {
    lane.open--;
    while (lane.waiting.length > 0 && lane.open < MAX_OPEN_PER_SESSION) {
      const waiting = lane.waiting.shift() as Waiting;
      if (!waiting.cancelled) waiting.start();
    }
  };

  return {
    call(args) {
      const timeoutMs = timeoutOf(args);
      let headers = headersByTimeout.get(timeoutMs);
      if (headers === undefined) headersByTimeout.set(timeoutMs, (headers = headersFor(timeoutMs)));
      const lane = pickLane();
      return new Promise<number>((resolve, reject) => {
        const calledAt = onReject === undefined ? 0 : wallClockMs();
        let requestedAt = 0;
        let stream: http2.ClientHttp2Stream | undefined;
        let received = 0;
        let settled = false;
        const waiting: Waiting = { start, cancelled: false };
        const settle = (code: number | undefined): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (code === 0 && received > 5) resolve(1);
          else reject(failureOf(code ?? UNAVAILABLE));
          if (stream === undefined) {
            waiting.cancelled = true; // expired before it got a slot: nothing was sent
            return;
          }
          // Closed by the server: destroying sends nothing. A stream still open (a call past its
          // deadline) keeps its slot until the server ends it: its slot frees on 'close'.
          if (stream.closed && !stream.destroyed) stream.destroy();
        };
        const timer = timeoutMs > 0 ? setTimeout(() => settle(DEADLINE_EXCEEDED), timeoutMs) : undefined;
        const readStatus = (fields: http2.IncomingHttpHeaders): void => {
          const value = fields["grpc-status"];
          if (onReject !== undefined && value === "8" && !settled) {
            const server = serverStampsOf(fields);
            if (server !== undefined) onReject({ calledAt, requestedAt, serverStreamAt: server[0], serverRespondAt: server[1], receivedAt: wallClockMs() });
          }
          if (typeof value === "string") settle(Number(value));
        };
        function start(): void {
          // A session the server closed (GOAWAY) is replaced, as a client's channel reconnects.
          if (lane.session.closed || lane.session.destroyed) lane.session = open(ports[0] as number);
          lane.open++;
          if (onReject !== undefined) requestedAt = wallClockMs();
          let s: http2.ClientHttp2Stream;
          try {
            s = lane.session.request(headers, { endStream: false });
          } catch {
            lane.open--;
            settle(UNAVAILABLE);
            return;
          }
          stream = s;
          s.on("response", readStatus); // a Trailers-Only answer (a shed) carries the status here
          s.on("trailers", readStatus);
          s.on("data", (chunk: Buffer) => (received += chunk.length));
          s.on("end", () => s.closed && !s.destroyed && s.destroy()); // after the status: let the stream go
          s.on("error", () => {}); // the 'close' below reports it
          s.on("close", () => {
            release(lane);
            settle(undefined);
          });
          s.end(frame);
        }
        if (lane.open < MAX_OPEN_PER_SESSION) start();
        else lane.waiting.push(waiting);
      });
    },
    async close() {
      for (const lane of lanes) lane.session.close();
    },
  };
}

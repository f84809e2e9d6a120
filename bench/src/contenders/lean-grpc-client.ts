// Lean gRPC load generator for open-loop scenarios: unary Echo over raw node:http2 sessions with the
// request frame encoded once, each call classified by its grpc-status (success, shed, other).
import * as http2 from "node:http2";
import { intOption, type BenchCaller, type CreateCaller } from "../harness/contracts.js";
import type { JsonObject } from "../harness/scenario.js";
import { UNARY_PAYLOAD_BYTES } from "./call-args.js";
import { framedMessage } from "./raw-stream-wire.js";
import { createDeadlineRing, type DeadlineRing } from "./deadline-ring.js";
import { installLeanAsyncBind } from "./lean-async-bind.js";
import { serverStampsOf, wallClockMs, type RejectStampSink } from "./reject-stamps.js";

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

/** One HTTP/2 session and the calls waiting for one of its stream slots. */
interface Lane {
  session: http2.ClientHttp2Session;
  open: number;
  readonly waiting: LeanCall[];
}

/** Where a stream's call is kept, so the stream's listeners can be shared functions instead of closures per call. */
const callOf = Symbol("lean call");

type CallStream = http2.ClientHttp2Stream & { [callOf]?: LeanCall };

/**
 * One call in flight: a single object holding its state, with the stream's listeners shared by all
 * calls (they find it on the stream), so a call allocates its promise, this and its stream only.
 */
class LeanCall {
  stream: CallStream | undefined = undefined;
  received = 0;
  settled = false;
  /** The deadline ring holding it and its place there (undefined / -1: none, or it expired). */
  ring: DeadlineRing<LeanCall> | undefined = undefined;
  ticket = -1;
  /** Wall-clock stamps for the reject-timing tool (0 unless it listens). */
  calledAt = 0;
  requestedAt = 0;
  constructor(
    readonly client: LeanClient,
    readonly lane: Lane,
    readonly headers: http2.OutgoingHttpHeaders,
    readonly resolve: (value: number) => void,
    readonly reject: (error: CallFailure) => void,
  ) {}

  settle(code: number | undefined): void {
    if (this.settled) return;
    this.settled = true;
    if (this.ticket >= 0) this.ring?.remove(this.ticket);
    this.ring = undefined;
    if (code === 0 && this.received > 5) this.resolve(1);
    else this.reject(failureOf(code ?? UNAVAILABLE));
    const stream = this.stream;
    // Expired before it got a slot: nothing was sent, and release() skips it. Closed by the
    // server: destroying sends nothing. A stream still open (a call past its deadline) keeps its
    // slot until the server ends it: its slot frees on 'close'.
    if (stream !== undefined && stream.closed && !stream.destroyed) stream.destroy();
  }
}

function onStatus(this: CallStream, fields: http2.IncomingHttpHeaders): void {
  const call = this[callOf];
  if (call === undefined) return;
  const value = fields["grpc-status"];
  if (value === "8" && !call.settled) call.client.noteReject(call, fields);
  if (typeof value === "string") call.settle(Number(value));
}
function onData(this: CallStream, chunk: Buffer): void {
  const call = this[callOf];
  if (call !== undefined) call.received += chunk.length;
}
function onEnd(this: CallStream): void {
  if (this.closed && !this.destroyed) this.destroy(); // after the status: let the stream go
}
function onError(): void {} // the 'close' below reports it
function onClose(this: CallStream): void {
  const call = this[callOf];
  if (call === undefined) return;
  this[callOf] = undefined;
  call.client.release(call.lane);
  call.settle(undefined);
}

/** What the shared stream listeners need of the caller. */
interface LeanClient {
  release(lane: Lane): void;
  noteReject(call: LeanCall, fields: http2.IncomingHttpHeaders): void;
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
export async function createLeanCaller(ports: readonly number[], options: JsonObject, onReject?: RejectStampSink): Promise<BenchCaller> {
  installLeanAsyncBind(); // node:http2's request() binds each stream: see lean-async-bind.ts
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
  // Deadlines: one ring per timeout (deadlines then come in start order) and one timer for them all.
  const rings = new Map<number, DeadlineRing<LeanCall>>();
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  const expireCall = (call: LeanCall): void => {
    call.ticket = -1; // the ring let it go already
    call.settle(DEADLINE_EXCEEDED);
  };
  const armTimer = (): void => {
    let next = Infinity;
    for (const ring of rings.values()) next = Math.min(next, ring.nextDeadline() ?? Infinity);
    if (next === timerAt) return;
    clearTimeout(timer);
    timerAt = next;
    timer = next === Infinity ? undefined : setTimeout(onTimer, Math.max(0, next - performance.now()));
  };
  const onTimer = (): void => {
    timerAt = Infinity;
    const now = performance.now();
    for (const ring of rings.values()) ring.expire(now, expireCall);
    armTimer();
  };
  const ringFor = (timeoutMs: number): DeadlineRing<LeanCall> => {
    let ring = rings.get(timeoutMs);
    if (ring === undefined) rings.set(timeoutMs, (ring = createDeadlineRing<LeanCall>()));
    return ring;
  };

  const start = (call: LeanCall): void => {
    const lane = call.lane;
    // A session the server closed (GOAWAY) is replaced, as a client's channel reconnects.
    if (lane.session.closed || lane.session.destroyed) lane.session = open(ports[0] as number);
    lane.open++;
    if (onReject !== undefined) call.requestedAt = wallClockMs();
    let s: CallStream;
    try {
      s = lane.session.request(call.headers, { endStream: false });
    } catch {
      lane.open--;
      call.settle(UNAVAILABLE);
      return;
    }
    call.stream = s;
    s[callOf] = call;
    s.on("response", onStatus); // a Trailers-Only answer (a shed) carries the status here
    s.on("trailers", onStatus);
    s.on("data", onData);
    s.on("end", onEnd);
    s.on("error", onError);
    s.on("close", onClose);
    s.end(frame);
  };

  const client: LeanClient = {
    release(lane) {
      lane.open--;
      while (lane.waiting.length > 0 && lane.open < MAX_OPEN_PER_SESSION) {
        const waiting = lane.waiting.shift() as LeanCall;
        if (!waiting.settled) start(waiting);
      }
    },
    noteReject(call, fields) {
      if (onReject === undefined) return;
      const server = serverStampsOf(fields);
      if (server !== undefined) onReject(call.calledAt, call.requestedAt, server[0], server[1], wallClockMs());
    },
  };

  return {
    call(args) {
      const timeoutMs = intOption(args, "timeoutMs", 0);
      let headers = headersByTimeout.get(timeoutMs);
      if (headers === undefined) headersByTimeout.set(timeoutMs, (headers = headersFor(timeoutMs)));
      const lane = pickLane();
      return new Promise<number>((resolve, reject) => {
        const call = new LeanCall(client, lane, headers, resolve, reject);
        if (onReject !== undefined) call.calledAt = wallClockMs();
        if (timeoutMs > 0) {
          call.ring = ringFor(timeoutMs);
          call.ticket = call.ring.add(call, performance.now() + timeoutMs);
          if (timerAt === Infinity) armTimer();
        }
        if (lane.open < MAX_OPEN_PER_SESSION) start(call);
        else lane.waiting.push(call);
      });
    },
    async close() {
      clearTimeout(timer);
      for (const lane of lanes) lane.session.close();
    },
  };
}

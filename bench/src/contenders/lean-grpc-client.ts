// Lean gRPC load generator for open-loop scenarios: unary Echo over raw node:http2 sessions with the
// request frame encoded once, each call classified by its grpc-status (success, shed, other).
import * as http2 from "node:http2";
import { intOption, type CreateCaller } from "../harness/contracts.js";
import type { JsonObject } from "../harness/scenario.js";
import { UNARY_PAYLOAD_BYTES } from "./call-args.js";
import { framedMessage } from "./raw-stream-wire.js";

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

async function connect(port: number): Promise<http2.ClientHttp2Session> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  await new Promise<void>((resolve, reject) => {
    session.once("connect", () => resolve());
    session.once("error", reject);
  });
  session.on("error", () => {}); // a session error fails its streams, which the calls report
  return session;
}

/**
 * Options: `connections` (default 2), HTTP/2 sessions to the first port, used in turn. Unary Echo
 * only; call argument `timeoutMs` is the deadline, sent as `grpc-timeout` and enforced here too
 * (the stream is cancelled and the call fails DEADLINE_EXCEEDED). A call resolves 1 when the
 * server answered grpc-status 0 with a response message, and otherwise rejects with a
 * {@link CallFailure} carrying the grpc-status (UNAVAILABLE when the stream ended without one).
 */
export const createCaller: CreateCaller = async (ports, options) => {
  const connections = intOption(options, "connections", 2);
  if (connections < 1) throw new Error(`option "connections" must be >= 1, got ${connections}`);
  const sessions = await Promise.all(Array.from({ length: connections }, () => connect(ports[0] as number)));
  const frame = framedMessage(UNARY_PAYLOAD_BYTES); // an EchoRequest frame: the same bytes as an EchoResponse
  const headersByTimeout = new Map<number, http2.OutgoingHttpHeaders>();
  let next = 0;
  const timeoutOf = (args: JsonObject): number => intOption(args, "timeoutMs", 0);
  return {
    call(args) {
      const timeoutMs = timeoutOf(args);
      let headers = headersByTimeout.get(timeoutMs);
      if (headers === undefined) headersByTimeout.set(timeoutMs, (headers = headersFor(timeoutMs)));
      const session = sessions[next] as http2.ClientHttp2Session;
      next = (next + 1) % sessions.length;
      return new Promise<number>((resolve, reject) => {
        const stream = session.request(headers, { endStream: false });
        let status: number | undefined;
        let received = 0;
        let expired = false;
        const timer =
          timeoutMs > 0
            ? setTimeout(() => {
                expired = true;
                stream.close(http2.constants.NGHTTP2_CANCEL);
              }, timeoutMs)
            : undefined;
        const readStatus = (fields: http2.IncomingHttpHeaders): void => {
          const value = fields["grpc-status"];
          if (typeof value === "string") status = Number(value);
        };
        stream.on("response", readStatus); // a Trailers-Only answer (a shed) carries the status here
        stream.on("trailers", readStatus);
        stream.on("data", (chunk: Buffer) => (received += chunk.length));
        stream.on("error", () => {}); // the 'close' below reports it
        stream.on("close", () => {
          clearTimeout(timer);
          if (status === 0 && received > 5) resolve(1);
          else reject(failureOf(expired ? DEADLINE_EXCEEDED : (status ?? UNAVAILABLE)));
        });
        stream.end(frame);
      });
    },
    async close() {
      for (const session of sessions) session.close();
    },
  };
};

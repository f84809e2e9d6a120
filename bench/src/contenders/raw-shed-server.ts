// Anchor of the overload scenario: a raw node:http2 gRPC Echo (no Connect, no Sluice) of the same
// capacity behind a fixed limit checked in the 'stream' event, the least a Node server can do to shed.
import * as http2 from "node:http2";
import { serverFlowControlDefaults } from "@sluice/runtime";
import { intOption, type StartServer } from "../harness/contracts.js";
import { hostH2c } from "./h2c-host.js";
import { createOverloadMeter } from "./overload-meter.js";
import { timeShedAnswers } from "./reject-stamps.js";

/** A shed answer: Trailers-Only, RESOURCE_EXHAUSTED; one frozen object, node copies it on respond. */
const SHED_HEADERS: http2.OutgoingHttpHeaders = Object.freeze({
  ":status": 200,
  "content-type": "application/grpc+proto",
  "grpc-status": "8",
  "grpc-message": "over the concurrency limit",
});
const OK_HEADERS: http2.OutgoingHttpHeaders = Object.freeze({ ":status": 200, "content-type": "application/grpc+proto" });
const OK_TRAILERS: http2.OutgoingHttpHeaders = Object.freeze({ "grpc-status": "0" });
const SHED_OPTIONS: http2.ServerStreamResponseOptions = Object.freeze({ endStream: true });
const OK_OPTIONS: http2.ServerStreamResponseOptions = Object.freeze({ waitForTrailers: true });

/**
 * Opens each connection's receive window as serve() does (its default, 2 MiB; node's is 64 KiB): the
 * unread bodies of shed calls hold their share of it until their streams close, and at 4× a 64 KiB
 * window throttles the load generator's sends.
 */
function openConnectionWindow(session: http2.ServerHttp2Session): void {
  session.once("remoteSettings", () => {
    if (!session.destroyed && !session.closed) session.setLocalWindowSize(serverFlowControlDefaults.connectionWindowBytes);
  });
}

function closeUnlessDestroyed(stream: http2.ServerHttp2Stream): void {
  if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_NO_ERROR);
}

function sendTrailers(this: http2.ServerHttp2Stream): void {
  this.sendTrailers(OK_TRAILERS);
}

function ignoreError(): void {} // a stream error ends in 'close', which frees the call's slot

/** An abort signal that fires when `stream` closes (only made for a call that has to wait for the gate). */
function closedSignal(stream: http2.ServerHttp2Stream): AbortSignal {
  const controller = new AbortController();
  stream.once("close", () => controller.abort());
  return controller.signal;
}

/**
 * Starts the anchor on 127.0.0.1, port 0. Options: `capacity` (default 16) and `serviceMs`
 * (default 10) of the Echo, the same capacity gate as the overload server (capacity-gate.ts);
 * `limit` (default `capacity`): calls admitted at once; `stampRejects` 1 puts the server's stamps on
 * every shed answer (reject-stamps.ts). In the 'stream' event, before any of the body is read, a call
 * over the limit is answered at once with a Trailers-Only RESOURCE_EXHAUSTED and its stream closed
 * with RST_STREAM(NO_ERROR) on the next turn (as Sluice's shed does), its body never read; a call
 * under it reads its body (an EchoRequest framed for gRPC, echoed back as is: the same bytes as an
 * EchoResponse), waits for the gate, and frees its slot when its answer's headers go out (as
 * Sluice's admission frees a unary gRPC call's). `grpc-timeout` is not kept: with the limit at the
 * capacity no admitted call waits for the gate. Gauges and series: overload-meter.ts's, the limit
 * constant. Like serve(), it advertises 250 concurrent streams and opens each connection's receive
 * window to 2 MiB.
 */
export const startServer: StartServer = async (options) => {
  const capacity = intOption(options, "capacity", 16);
  const serviceMs = intOption(options, "serviceMs", 10);
  const limit = intOption(options, "limit", capacity);
  const stampRejects = intOption(options, "stampRejects", 0);
  if (stampRejects > 1) throw new Error(`option "stampRejects" must be 0 or 1, got ${stampRejects}`);
  const meter = createOverloadMeter(capacity, serviceMs);
  let inFlight = 0;
  let shed = 0;

  const answer = async (stream: http2.ServerHttp2Stream, body: Buffer, release: () => void): Promise<void> => {
    const began = performance.now();
    try {
      await meter.gate.work(() => closedSignal(stream));
    } catch {
      return release(); // the client went away while it waited
    }
    meter.handled(began);
    if (stream.closed || stream.destroyed) return release();
    stream.respond(OK_HEADERS, OK_OPTIONS);
    release();
    stream.end(body);
  };

  const server = http2.createServer({ settings: { maxConcurrentStreams: 250 } });
  server.on("session", openConnectionWindow);
  server.on("stream", (stream) => {
    if (inFlight >= limit) {
      shed++;
      stream.on("error", ignoreError);
      stream.respond(SHED_HEADERS, SHED_OPTIONS);
      if (!stream.readableEnded) setImmediate(closeUnlessDestroyed, stream);
      return;
    }
    inFlight++;
    let held = true;
    const release = (): void => {
      if (held) inFlight--;
      held = false;
    };
    const chunks: Buffer[] = [];
    stream.on("error", ignoreError);
    stream.on("close", release);
    stream.on("wantTrailers", sendTrailers);
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => void answer(stream, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), release));
  });
  timeShedAnswers(server, stampRejects === 1, meter.shedTimed);
  const hosted = await hostH2c(server);
  return meter.benchServer(hosted.ports, () => ({ limit, shed }), hosted.close);
};

// Answers a shed call at once, in its own protocol, without reading its body: gRPC and gRPC-Web as
// a Trailers-Only response, Connect unary as a JSON error with HTTP 429/503, Connect streaming as
// an end-of-stream message; then the stream is closed so the client stops sending.
import { constants, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { ConnectError } from "@connectrpc/connect";
import {
  connectCodeToHttpStatus as codeToHttpStatus,
  connectEndStreamFlag as endStreamFlag,
  connectEndStreamToJson as endStreamToJson,
  errorToJsonBytes,
} from "../../internals/private-apis.js";
import { encodeGrpcMessage, respondSafely } from "../fast/responses.js";
import type { Shed } from "./admission-controller.js";
import { loadReportHeader } from "../../limit/load-report-format.js";

/** The wire protocol of a request, from its content type. @private */
export type WireProtocol = "grpc" | "grpc-web" | "connect-stream" | "connect-unary";

/** Classifies a request by its content type (anything not gRPC or Connect streaming is Connect unary). @private */
export function wireProtocol(contentType: string | undefined): WireProtocol {
  if (contentType === undefined) return "connect-unary";
  if (contentType.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  if (contentType.startsWith("application/connect+")) return "connect-stream";
  return "connect-unary";
}

function closeUnlessDestroyed(stream: ServerHttp2Stream): void {
  if (!stream.destroyed) stream.close(constants.NGHTTP2_NO_ERROR);
}

/** Stops reading a request we answered: RST_STREAM(NO_ERROR) once the response is out. @private */
export function stopReading(stream: ServerHttp2Stream): void {
  if (!stream.readableEnded) setImmediate(closeUnlessDestroyed, stream);
}

/** The last gRPC shed answer's headers and what they were made from (see {@link grpcShedHeaders}). */
let lastGrpcShed: { shed: Shed; contentType: string | undefined; loadReport: string | undefined; headers: OutgoingHttpHeaders } | undefined;

/**
 * The Trailers-Only headers of a gRPC shed answer. Sheds come in bursts with the same refusal (the
 * controller hands out the same {@link Shed} while its retry hint holds) and the same load report,
 * so the last headers object is reused: node copies it on respond and never keeps or changes it.
 */
function grpcShedHeaders(shed: Shed, contentType: string | undefined, loadReport: string | undefined): OutgoingHttpHeaders {
  const last = lastGrpcShed;
  if (last !== undefined && last.shed === shed && last.contentType === contentType && last.loadReport === loadReport) return last.headers;
  const headers: OutgoingHttpHeaders = {
    ":status": 200,
    "content-type": contentType ?? "application/grpc",
    "grpc-status": String(shed.code),
    "grpc-message": encodeGrpcMessage(shed.message),
    "grpc-retry-pushback-ms": String(shed.pushbackMs),
  };
  if (loadReport !== undefined) headers[loadReportHeader] = loadReport;
  lastGrpcShed = { shed, contentType, loadReport, headers: Object.freeze(headers) };
  return headers;
}

/**
 * Answers a shed call. `loadReport` (a `sluice-load` value) rides along where trailers go. The
 * caller has put an 'error' listener on `stream` (a client reset must not throw).
 * @private
 */
export function sendShed(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, shed: Shed, loadReport: string | undefined): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  const contentType = headers["content-type"];
  const protocol = wireProtocol(contentType);
  if (protocol === "grpc" || protocol === "grpc-web") {
    respondSafely(stream, grpcShedHeaders(shed, contentType, loadReport), true);
  } else if (protocol === "connect-unary") {
    const pushback = String(shed.pushbackMs);
    const h: OutgoingHttpHeaders = {
      ":status": codeToHttpStatus(shed.code),
      "content-type": "application/json",
      "grpc-retry-pushback-ms": pushback,
      "retry-after": String(Math.ceil(shed.pushbackMs / 1000)),
    };
    if (loadReport !== undefined) h[`trailer-${loadReportHeader}`] = loadReport;
    const body = Buffer.from(errorToJsonBytes(new ConnectError(shed.message, shed.code), {}));
    if (respondSafely(stream, h, false, false)) stream.end(body);
  } else {
    const metadata = new Headers({ "grpc-retry-pushback-ms": String(shed.pushbackMs) });
    if (loadReport !== undefined) metadata.set(loadReportHeader, loadReport);
    const json = Buffer.from(JSON.stringify(endStreamToJson(metadata, new ConnectError(shed.message, shed.code), undefined)));
    const frame = Buffer.alloc(5 + json.byteLength);
    frame.writeUInt8(endStreamFlag, 0);
    frame.writeUInt32BE(json.byteLength, 1);
    json.copy(frame, 5);
    if (respondSafely(stream, { ":status": 200, "content-type": contentType ?? "application/connect+proto" }, false, false)) stream.end(frame);
  }
  stopReading(stream);
}

// A unary call over the gRPC protocol on the fast path: one framed request, one response read
// whole, status from the headers (trailers-only) or the trailers, errors exactly as Connect's.
import type { DescMessage, DescMethodUnary, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type UnaryResponse } from "@connectrpc/connect";
import { findTrailerError, grpcCodeFromHttpStatus } from "../internals/private-apis.js";
import type { IncomingHttpHeaders } from "node:http2";
import type { SluiceConnection } from "./endpoint-connection.js";
import { flagCompressed, tooLargeError } from "./envelope.js";
import { headerValue, toWebHeaders, type HeadersInit } from "./node-headers.js";
import { parse, serializeEnvelope, type CodecOptions } from "./codec.js";
import { requestHeaders } from "./request-headers.js";
import { exchange } from "./unary-exchange.js";
import { lazyUnaryResponse } from "./unary-response.js";

const grpcContentType = /^application\/grpc(?:\+proto)?$/i;

/** Runs one gRPC unary call on `connection`. @private */
export async function grpcUnary<I extends DescMessage, O extends DescMessage>(
  connection: SluiceConnection,
  method: DescMethodUnary<I, O>,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
  header: HeadersInit | undefined,
  input: MessageInitShape<I>,
  options: CodecOptions,
): Promise<UnaryResponse<I, O>> {
  const body = serializeEnvelope(method.input, input, options);
  const response = await exchange(
    connection,
    requestHeaders("grpc", method, timeoutMs, header),
    body,
    { maxBodyBytes: options.readMaxBytes + 5, readMaxBytes: options.readMaxBytes },
    signal,
    timeoutMs,
  );
  const raw = response.headers;
  const problem = grpcHeaderProblem(raw);
  if (problem !== undefined) throw problem;
  const headerError = raw["grpc-status"] !== undefined ? statusError(raw, undefined) : undefined;
  const message = readSingleMessage(method, response.body, options);
  const trailers = response.trailers;
  if (trailers !== undefined && trailers["grpc-status"] !== undefined) {
    const error = statusError(trailers, raw);
    if (error !== undefined) throw error;
  } else if (raw["grpc-status"] === undefined) {
    throw new ConnectError("protocol error: missing status", Code.Internal);
  }
  if (message === undefined) {
    if (headerError !== undefined) throw headerError;
    throw new ConnectError(
      "protocol error: missing output message for unary method",
      trailers?.["grpc-status"] !== undefined ? Code.Unimplemented : Code.Unknown,
    );
  }
  if (headerError !== undefined) {
    throw new ConnectError("protocol error: received output message for unary method with error status", Code.Unknown);
  }
  return lazyUnaryResponse(method, message, raw, trailers, undefined);
}

/**
 * What is wrong with gRPC response headers for the fast path, if anything: a status other than
 * 200, a content type other than gRPC's binary one, a compressed response.
 * @private
 */
export function grpcHeaderProblem(raw: IncomingHttpHeaders): ConnectError | undefined {
  const status = Number(raw[":status"]);
  if (status !== 200) return new ConnectError(`HTTP ${status}`, grpcCodeFromHttpStatus(status), toWebHeaders(raw));
  const contentType = headerValue(raw, "content-type");
  if (contentType === undefined || !grpcContentType.test(contentType)) {
    return new ConnectError(`unsupported content type ${String(contentType)}`, Code.Unknown);
  }
  const encoding = headerValue(raw, "grpc-encoding");
  if (encoding !== undefined && encoding.toLowerCase() !== "identity") {
    return new ConnectError(`unsupported response encoding "${encoding}"`, Code.Internal, toWebHeaders(raw));
  }
  return undefined;
}

/** The error a gRPC status carries (undefined for OK), with `alsoHeader`'s fields in its metadata. @private */
export function statusError(raw: IncomingHttpHeaders, alsoHeader: IncomingHttpHeaders | undefined): ConnectError | undefined {
  const status = headerValue(raw, "grpc-status");
  if (status === "0" && raw["grpc-status-details-bin"] === undefined) return undefined;
  const headers = toWebHeaders(raw);
  let error: ConnectError | undefined;
  try {
    error = findTrailerError(headers);
  } catch {
    // A grpc-message that is not valid percent-encoding, or a malformed grpc-status-details-bin:
    // the gRPC spec says a client must not fail on it, so keep the status and the raw text.
    error = rawStatusError(headers);
  }
  if (error !== undefined && alsoHeader !== undefined) {
    toWebHeaders(alsoHeader).forEach((value, key) => error.metadata.append(key, value));
  }
  return error;
}

/** The status from grpc-status and grpc-message alone, the message decoded when it can be. */
function rawStatusError(headers: Headers): ConnectError | undefined {
  const status = headers.get("grpc-status");
  if (status === null || status === "0") return undefined;
  const code = Number.parseInt(status, 10);
  if (!(code in Code)) return new ConnectError(`invalid grpc-status: ${status}`, Code.Internal, headers);
  const message = headers.get("grpc-message") ?? "";
  let text = message;
  try {
    text = decodeURIComponent(message);
  } catch {
    // keep the raw text
  }
  return new ConnectError(text, code as Code, headers);
}

function readSingleMessage<O extends DescMessage>(
  method: DescMethodUnary<DescMessage, O>,
  body: Buffer,
  options: CodecOptions,
): MessageShape<O> | undefined {
  if (body.byteLength === 0) return undefined;
  if (body.byteLength < 5) throw new ConnectError("protocol error: incomplete envelope", Code.Internal);
  const flags = body[0] as number;
  const length = body.readUInt32BE(1);
  if (length > options.readMaxBytes) throw tooLargeError(length, options.readMaxBytes);
  if (body.byteLength < 5 + length) {
    throw new ConnectError(`protocol error: promised ${length} bytes in enveloped message, got ${body.byteLength - 5} bytes`, Code.Internal);
  }
  if ((flags & flagCompressed) !== 0) {
    throw new ConnectError("protocol error: received compressed output without grpc-encoding", Code.Internal);
  }
  if (body.byteLength > 5 + length) {
    throw new ConnectError("protocol error: received extra output message for unary method", Code.Unimplemented);
  }
  return parse(method.output, body.subarray(5), options);
}

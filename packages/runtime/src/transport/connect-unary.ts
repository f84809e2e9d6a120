// A unary call over the Connect protocol on the fast path: the body is the bare message, trailers
// ride in `trailer-` headers, and errors come as JSON with a non-200 status.
import type { DescMessage, DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, appendHeaders, type UnaryResponse } from "@connectrpc/connect";
import { connectCodeFromHttpStatus, errorFromJsonBytes } from "../internals/private-apis.js";
import type { SluiceConnection } from "./endpoint-connection.js";
import { tooLargeError } from "./envelope.js";
import { headerValue, toWebHeaders, type HeadersInit } from "./node-headers.js";
import { parse, serialize, type CodecOptions } from "./codec.js";
import { requestHeaders } from "./request-headers.js";
import { exchange } from "./unary-exchange.js";
import { lazyUnaryResponse, prefixed } from "./unary-response.js";

const jsonContentType = /^application\/json(?:; ?charset=utf-?8)?$/i;
const protoContentType = /^application\/proto$/i;

/** Runs one Connect-protocol unary call on `connection`. @private */
export async function connectUnary<I extends DescMessage, O extends DescMessage>(
  connection: SluiceConnection,
  method: DescMethodUnary<I, O>,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
  header: HeadersInit | undefined,
  input: MessageInitShape<I>,
  options: CodecOptions,
): Promise<UnaryResponse<I, O>> {
  const body = Buffer.from(serialize(method.input, input, options));
  // Error bodies are small JSON documents; allow them even under a tiny readMaxBytes.
  const maxBodyBytes = Math.max(options.readMaxBytes, 64 * 1024);
  const response = await exchange(
    connection,
    requestHeaders("connect", method, timeoutMs, header),
    body,
    { maxBodyBytes, readMaxBytes: options.readMaxBytes },
    signal,
    timeoutMs,
  );
  const raw = response.headers;
  const contentType = headerValue(raw, "content-type");
  if (response.status !== 200) {
    const fallback = new ConnectError(`HTTP ${response.status}`, connectCodeFromHttpStatus(response.status), toWebHeaders(raw));
    if (contentType !== undefined && jsonContentType.test(contentType)) {
      const metadata = appendHeaders(toWebHeaders(raw, "trailer-"), prefixed(raw, "trailer-"));
      throw errorFromJsonBytes(response.body, metadata, fallback);
    }
    throw fallback;
  }
  if (contentType === undefined || !protoContentType.test(contentType)) {
    throw new ConnectError(
      `unsupported content type ${String(contentType)}`,
      contentType !== undefined && /^application\/(connect\+)?(json|proto)/i.test(contentType) ? Code.Internal : Code.Unknown,
      toWebHeaders(raw),
    );
  }
  const encoding = headerValue(raw, "content-encoding");
  if (encoding !== undefined && encoding.toLowerCase() !== "identity") {
    throw new ConnectError(`unsupported response encoding "${encoding}"`, Code.Internal, toWebHeaders(raw));
  }
  if (response.body.byteLength > options.readMaxBytes) throw tooLargeError(response.body.byteLength, options.readMaxBytes);
  const message = parse(method.output, response.body, options);
  return lazyUnaryResponse(method, message, raw, undefined, "trailer-");
}

// The Connect protocol's streaming response on the fast client: which response headers it accepts,
// and its end-of-stream message (status and trailers as JSON), read as Connect's own transport does.
import type { IncomingHttpHeaders } from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectCodeFromHttpStatus, connectEndStreamFromJson } from "../internals/private-apis.js";
import { headerValue, toWebHeaders } from "./node-headers.js";

const streamProtoContentType = /^application\/connect\+proto$/i;
const connectContentType = /^application\/(connect\+)?(json|proto)/i;

/**
 * What is wrong with the response headers of a Connect streaming call (binary protobuf, no
 * compression), if anything: a non-200 status is the error of its code.
 * @private
 */
export function connectStreamHeaderError(raw: IncomingHttpHeaders): ConnectError | undefined {
  const status = Number(raw[":status"]);
  if (status !== 200) return new ConnectError(`HTTP ${status}`, connectCodeFromHttpStatus(status), toWebHeaders(raw));
  const contentType = headerValue(raw, "content-type");
  if (contentType === undefined || !streamProtoContentType.test(contentType)) {
    const known = contentType !== undefined && connectContentType.test(contentType);
    return new ConnectError(`unsupported content type ${String(contentType)}`, known ? Code.Internal : Code.Unknown, toWebHeaders(raw));
  }
  const encoding = headerValue(raw, "connect-content-encoding");
  if (encoding !== undefined && encoding.toLowerCase() !== "identity") {
    return new ConnectError(`unsupported response encoding "${encoding}"`, Code.Internal, toWebHeaders(raw));
  }
  return undefined;
}

/**
 * Reads an end-of-stream message. On success its metadata goes into `trailer`; an error carries the
 * response headers in its metadata too (as in Connect's transport). A malformed message is
 * INVALID_ARGUMENT.
 * @private
 */
export function connectStreamEnd(data: Uint8Array, responseHeaders: IncomingHttpHeaders | undefined, trailer: Headers): { readonly error: ConnectError | undefined } {
  let end: ReturnType<typeof connectEndStreamFromJson>;
  try {
    end = connectEndStreamFromJson(data);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { error: new ConnectError(`failed to parse EndStreamResponse: ${reason}`, Code.InvalidArgument) };
  }
  if (end.error !== undefined) {
    const error = end.error;
    if (responseHeaders !== undefined) toWebHeaders(responseHeaders).forEach((value, key) => error.metadata.append(key, value));
    return { error };
  }
  end.metadata.forEach((value, key) => trailer.set(key, value));
  return { error: undefined };
}

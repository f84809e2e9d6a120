// Validation of a gRPC request body that must hold exactly one uncompressed message, with the
// error codes Connect's handlers use.
import { Code, ConnectError } from "@connectrpc/connect";
import { flagCompressed, tooLargeError } from "../../transport/envelope.js";

/**
 * The length a gRPC request declares in its 5-byte prefix, once `size` >= 5 bytes arrived in
 * `chunks` (the prefix may be split across DATA frames); undefined before that. @private
 */
export function declaredLength(chunks: readonly Buffer[], size: number): number | undefined {
  if (size < 5) return undefined;
  const head = chunks[0] as Buffer;
  return (head.byteLength >= 5 ? head : Buffer.concat(chunks as Buffer[], size)).readUInt32BE(1);
}

/** The message bytes of a unary gRPC request body: exactly one uncompressed envelope. @private */
export function unwrapUnary(body: Buffer, readMaxBytes: number): Buffer {
  if (body.byteLength === 0) {
    throw new ConnectError("protocol error: missing input message for unary method", Code.Unimplemented);
  }
  if (body.byteLength < 5) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
  const length = body.readUInt32BE(1);
  if (length > readMaxBytes) throw tooLargeError(length, readMaxBytes);
  if (body.byteLength < 5 + length) {
    throw new ConnectError(`protocol error: promised ${length} bytes in enveloped message, got ${body.byteLength - 5} bytes`, Code.InvalidArgument);
  }
  if (((body[0] as number) & flagCompressed) !== 0) {
    throw new ConnectError("received compressed envelope, but do not know how to decompress", Code.Internal);
  }
  if (body.byteLength > 5 + length) {
    throw new ConnectError("protocol error: received extra input message for unary method", Code.Unimplemented);
  }
  return body.subarray(5);
}

// Encodes and writes fast-path streaming responses: a message whose large `bytes` fields are sent by
// reference, a value a hub published serialized once, a large message behind its prefix uncopied.
import type { ServerHttp2Stream } from "node:http2";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { encodeShared, isPublished, sharedEncodingOf } from "../../hub/shared-encoding.js";
import { checkWriteMaxBytes, type CodecOptions } from "../../transport/codec.js";
import { envelopePrefix, envelopePrefixBytes, writeEnvelopePrefix } from "../../transport/envelope.js";
import { flatCodecOf } from "../../transport/flat-codec.js";
import { bytesFieldsOf, encodeWithLargeBytes, holdsLargeBytes, type EncodedChunks } from "./large-bytes.js";

/** Messages (and `bytes` fields) smaller than this are copied behind their prefix (cheaper than a several-chunk write). @private */
export const copyBelowBytes = 8 * 1024;

/**
 * Encodes one response: a message with a large top-level `bytes` field as chunks that leave the
 * field's bytes where they are, any other with `serialize` (once for a value a hub published).
 * @private
 */
export function encodeResponse(
  schema: DescMessage,
  output: unknown,
  options: CodecOptions & { readonly serialize: (schema: DescMessage, output: unknown) => Uint8Array },
): Uint8Array | EncodedChunks {
  // A published value encoded already (by another subscriber's call) had no large fields.
  const shared = sharedEncodingOf(output, schema, options.serialize);
  if (shared !== undefined) return shared;
  const chunks = encodeWithLargeBytes(schema, output as MessageShape<DescMessage>, copyBelowBytes, options.binaryOptions);
  if (chunks === undefined) return encodeShared(output, schema, options.serialize);
  checkWriteMaxBytes(chunks.byteLength, options.writeMaxBytes);
  return chunks;
}

/**
 * A call's encoder of small responses as whole envelopes, made once per call (the schema's lookups
 * are done here, not per message): a flat message (transport/flat-codec.ts) is encoded straight
 * behind its prefix, so a lone message is written as it is, without a second buffer and a copy.
 * Answers undefined for what {@link encodeResponse} must take: a value a hub published (its shared
 * encoding), a large `bytes` field (sent by reference), a message the flat codec does not take.
 * @private
 */
export function responseFramer(schema: DescMessage, options: CodecOptions): (output: unknown) => Buffer | undefined {
  const flat = flatCodecOf(schema);
  if (flat === undefined) return () => undefined;
  const bytesFields = bytesFieldsOf(schema);
  return (output) => {
    if (isPublished(output) || holdsLargeBytes(bytesFields, output, copyBelowBytes)) return undefined;
    const frame = flat.encode(output, envelopePrefixBytes);
    if (frame === undefined) return undefined;
    checkWriteMaxBytes(frame.byteLength - envelopePrefixBytes, options.writeMaxBytes);
    return writeEnvelopePrefix(frame);
  };
}

/**
 * Writes one large message as its prefix and its chunks in one corked write (node's HTTP/2 stream
 * sends them with one writev, in the same DATA frames), so its bytes are never copied into a framed
 * buffer. Returns true when the next message may follow at once, false when the stream's buffer is
 * full (wait for 'drain'), or, when the message holds the handler's own bytes, a promise settled
 * once they are on the socket: a handler may reuse its buffer for the next message.
 * @private
 */
export function writeLargeMessage(stream: ServerHttp2Stream, message: Uint8Array | EncodedChunks): boolean | Promise<void> {
  if (!(message instanceof Uint8Array)) return writeChunks(stream, message.chunks, message.byteLength, true);
  return writeChunks(stream, [message], message.byteLength, false);
}

/**
 * Writes the prefix of a message of `byteLength` bytes and then `chunks`, corked into one writev;
 * with `borrowed`, returns a promise settled once the last chunk has been written out (or failed).
 */
function writeChunks(stream: ServerHttp2Stream, chunks: readonly Uint8Array[], byteLength: number, borrowed: boolean): boolean | Promise<void> {
  stream.cork();
  let more = stream.write(envelopePrefix(byteLength));
  let flushed: Promise<void> | undefined;
  chunks.forEach((chunk, i) => {
    if (borrowed && i === chunks.length - 1) {
      flushed = new Promise<void>((resolve) => (more = stream.write(chunk, () => resolve())));
    } else if (chunk.byteLength > 0) {
      more = stream.write(chunk);
    }
  });
  stream.uncork();
  return flushed ?? more;
}

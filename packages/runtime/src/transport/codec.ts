// Binary protobuf (de)serialization of the fast path, with Connect's error codes and the
// write-size limit.
import { create, fromBinary, isMessage, toBinary, type BinaryReadOptions, type BinaryWriteOptions, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Largest message a Sluice client or server accepts unless `readMaxBytes` says otherwise: 4 MiB, the
 * gRPC default on both sides, so a peer cannot make either side buffer gigabytes.
 */
export const defaultReadMaxBytes = 4 * 1024 * 1024;

/** Serialization settings of a transport or handler. @private */
export interface CodecOptions {
  readonly binaryOptions?: Partial<BinaryReadOptions & BinaryWriteOptions>;
  readonly readMaxBytes: number;
  readonly writeMaxBytes: number;
}

/** Serializes a message (or its init shape); fails with RESOURCE_EXHAUSTED over writeMaxBytes. @private */
export function serialize<D extends DescMessage>(
  schema: D,
  input: MessageInitShape<D>,
  options: CodecOptions,
): Uint8Array {
  let bytes: Uint8Array;
  try {
    const message = isMessage(input, schema) ? input : create(schema, input);
    bytes = toBinary(schema, message as MessageShape<D>, options.binaryOptions);
  } catch (error) {
    throw new ConnectError(`serialize binary: ${error instanceof Error ? error.message : String(error)}`, Code.Internal);
  }
  if (bytes.byteLength > options.writeMaxBytes) {
    throw new ConnectError(
      `message size ${bytes.byteLength} is larger than configured writeMaxBytes ${options.writeMaxBytes}`,
      Code.ResourceExhausted,
    );
  }
  return bytes;
}

/** Parses a message; a malformed one fails with INTERNAL ("parse binary: …"), as in Connect. @private */
export function parse<D extends DescMessage>(schema: D, bytes: Uint8Array, options: CodecOptions): MessageShape<D> {
  try {
    return fromBinary(schema, bytes, options.binaryOptions);
  } catch (error) {
    throw new ConnectError(`parse binary: ${error instanceof Error ? error.message : String(error)}`, Code.Internal);
  }
}

// What the raw ceiling of the stream scenario puts on the wire: the bytes a gRPC stream of echo
// messages carries (5-byte length prefix + protobuf), built once, never parsed; and its headers.
import { create, toBinary } from "@bufbuild/protobuf";
import { EchoResponseSchema } from "../../gen/bench/v1/echo_pb.js";

/** Request headers telling the raw server the call's shape, message count and payload size. */
export const RAW_HEADERS = { shape: "x-shape", count: "x-count", bytes: "x-bytes" } as const;

/** Writes aim at this many bytes: several small messages per write, as a framework's batching would at best. */
const CHUNK_BYTES = 16 * 1024;

/** One message as gRPC frames it: flags, big-endian length, then EchoResponse{payload} (the same bytes as EchoRequest's). */
export function framedMessage(payloadBytes: number): Buffer {
  const body = toBinary(EchoResponseSchema, create(EchoResponseSchema, { payload: new Uint8Array(payloadBytes).fill(97) }));
  const frame = Buffer.alloc(5 + body.length);
  frame.writeUInt32BE(body.length, 1);
  frame.set(body, 5);
  return frame;
}

/** A buffer of whole copies of `message`, about {@link CHUNK_BYTES} long (at least one copy). */
export function messageChunk(message: Buffer): Buffer {
  return Buffer.concat(Array.from({ length: Math.max(1, Math.floor(CHUNK_BYTES / message.length)) }, () => message));
}

/** A writable side of an HTTP/2 stream. */
interface Writable {
  write(chunk: Buffer): boolean;
  once(event: "drain", listener: () => void): unknown;
  end(): void;
}

/** Writes `count` copies of `message` in chunks, waiting for "drain" when the stream's buffer is full, then ends it. */
export async function writeMessages(stream: Writable, message: Buffer, count: number): Promise<void> {
  const chunk = messageChunk(message);
  const perChunk = chunk.length / message.length;
  for (let left = count; left > 0; left -= perChunk) {
    const piece = left >= perChunk ? chunk : chunk.subarray(0, left * message.length);
    if (!stream.write(piece)) await new Promise<void>((resolve) => stream.once("drain", resolve));
  }
  stream.end();
}

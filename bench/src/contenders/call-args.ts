// Call arguments shared by every load generator: unary echo, or a server stream of `stream` messages.
import { intOption } from "../harness/contracts.js";
import type { JsonObject } from "../harness/scenario.js";

/** Payload of the unary echo: 98 bytes make a 100-byte protobuf message. */
export const UNARY_PAYLOAD_BYTES = 98;

/** Payload of each streamed message, bytes. */
export const STREAM_PAYLOAD_BYTES = 16;

/** The number of messages to stream, or 0 for a unary echo. */
export function streamCount(args: JsonObject): number {
  return intOption(args, "stream", 0);
}

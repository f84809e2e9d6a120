// Call arguments shared by every load generator: unary echo, or a server stream of `stream`
// messages read at full speed or by a slow consumer; and the balance scenario's extras (a long
// stream held open, tolerated overload errors).
import { choiceOption, intOption } from "../harness/contracts.js";
import type { JsonObject } from "../harness/scenario.js";

/** Payload of the unary echo: 98 bytes make a 100-byte protobuf message. */
export const UNARY_PAYLOAD_BYTES = 98;

/** Payload of each streamed message, bytes. */
export const STREAM_PAYLOAD_BYTES = 16;

/** The number of messages to stream, or 0 for a unary echo. */
export function streamCount(args: JsonObject): number {
  return intOption(args, "stream", 0);
}

/**
 * `holdStream`: while unary calls run, keep one server stream of this many messages open in the
 * background (the balance backends send one every 100 ms, the first at once), started again when
 * it ends; 0 (default) holds none.
 */
export function heldStreamCount(args: JsonObject): number {
  return intOption(args, "holdStream", 0);
}

/** `tolerate: "resource-exhausted"`: a call answered RESOURCE_EXHAUSTED counts as done, not as a failed run. */
export function toleratesOverload(args: JsonObject): boolean {
  return choiceOption(args, "tolerate", ["none", "resource-exhausted"] as const, "none") === "resource-exhausted";
}

/** How long the consumer takes per streamed message, in ms (0: as fast as they arrive). */
export function consumeDelayMs(args: JsonObject): number {
  return intOption(args, "consumeDelayMs", 0);
}

/** Waits `ms` (a slow consumer's work on one message); resolves at once for 0. */
export function consume(ms: number): Promise<void> | undefined {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : undefined;
}

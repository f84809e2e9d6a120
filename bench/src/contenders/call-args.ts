// Call arguments shared by every load generator: unary echo, or a stream of `stream` messages of
// `bytes` each in one of four shapes, read at full speed or by a slow consumer, in a reading style;
// and the balance scenario's extras (a long stream held open, tolerated overload errors).
import { choiceOption, intOption, makePayload } from "../harness/contracts.js";
import type { JsonObject } from "../harness/scenario.js";

/** Payload of the unary echo: 98 bytes make a 100-byte protobuf message. */
export const UNARY_PAYLOAD_BYTES = 98;

/** Payload of each streamed message unless a call says otherwise (`bytes`), bytes. */
export const STREAM_PAYLOAD_BYTES = 16;

/** The number of messages to stream, or 0 for a unary echo. */
export function streamCount(args: JsonObject): number {
  return intOption(args, "stream", 0);
}

/**
 * How a stream call moves its `stream` messages: `server` (EchoStream: the server sends them),
 * `client` (EchoUpload: the client sends them, the server answers once), `bidi-pingpong`
 * (EchoBidi with one message in flight: the next request goes once the previous answer arrived)
 * or `bidi-pipelined` (EchoBidi: requests go as fast as the stream takes them, answers are read
 * as they come).
 */
export const streamShapes = ["server", "client", "bidi-pingpong", "bidi-pipelined"] as const;

/** One of {@link streamShapes}. */
export type StreamShape = (typeof streamShapes)[number];

/** The call's `shape` (default `server`). */
export function streamShape(args: JsonObject): StreamShape {
  return choiceOption(args, "shape", streamShapes, "server");
}

const payloads = new Map<number, Uint8Array>();

/** The payload of each streamed message: `bytes` long (default {@link STREAM_PAYLOAD_BYTES}), made once per size. */
export function streamPayload(args: JsonObject): Uint8Array {
  const size = intOption(args, "bytes", STREAM_PAYLOAD_BYTES);
  let payload = payloads.get(size);
  if (payload === undefined) payloads.set(size, (payload = makePayload(size)));
  return payload;
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

/** How a Sluice load generator reads a stream: a `for await` loop, or the Observable `method$` twin. */
export const readingStyles = ["iterable", "observable"] as const;

/** One of {@link readingStyles}. */
export type ReadingStyle = (typeof readingStyles)[number];

/**
 * The call's `style`, or `fallback` (the load generator's own, from its start options) when the call
 * names none: a phase can switch the reading style of a running load generator.
 */
export function readingStyle(args: JsonObject, fallback: ReadingStyle): ReadingStyle {
  return choiceOption(args, "style", readingStyles, fallback);
}

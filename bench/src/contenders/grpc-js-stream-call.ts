// One stream call of the stream scenario over a grpc-js Client, in any of its four shapes, with
// grpc-js's stream API (write until it says stop, then wait for "drain"; pause to read slowly).
import { create } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import type { JsonObject } from "../harness/scenario.js";
import { EchoRequestSchema, EchoStreamRequestSchema, type EchoRequest } from "../../gen/bench/v1/echo_pb.js";
import { consumeDelayMs, streamCount, streamPayload, streamShape } from "./call-args.js";
import { echoServiceDefinition } from "./grpc-js-definition.js";

const { echoStream, echoUpload, echoBidi } = echoServiceDefinition;

/** Writes `count` times `message`, waiting for "drain" whenever the stream's buffer is full, then ends it. */
async function writeAll(stream: grpc.ClientWritableStream<EchoRequest> | grpc.ClientDuplexStream<EchoRequest, unknown>, message: EchoRequest, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (!stream.write(message)) await new Promise<void>((resolve) => stream.once("drain", resolve));
  }
  stream.end();
}

/**
 * A server stream of `count` messages carrying `payload`; `delayMs` > 0 reads it slowly (the
 * stream is paused while the consumer works on each message). Resolves with the messages read.
 */
export function grpcServerStream(client: grpc.Client, count: number, payload: Uint8Array, delayMs = 0): Promise<number> {
  const request = create(EchoStreamRequestSchema, { count, payload });
  const stream = client.makeServerStreamRequest(echoStream.path, echoStream.requestSerialize, echoStream.responseDeserialize, request);
  return new Promise<number>((resolve, reject) => {
    let received = 0;
    stream.on("data", () => {
      received++;
      if (delayMs > 0) {
        stream.pause();
        setTimeout(() => stream.resume(), delayMs);
      }
    });
    stream.on("error", reject);
    stream.on("end", () => resolve(received));
  });
}

/** Makes one stream call as `args` say and resolves with the messages moved (see iterable-stream-call.ts). */
export function grpcStreamCall(client: grpc.Client, args: JsonObject): Promise<number> {
  const count = streamCount(args);
  const payload = streamPayload(args);
  const shape = streamShape(args);
  if (shape === "server") return grpcServerStream(client, count, payload, consumeDelayMs(args));
  const message = create(EchoRequestSchema, { payload });
  if (shape === "client") {
    return new Promise<number>((resolve, reject) => {
      const stream = client.makeClientStreamRequest(echoUpload.path, echoUpload.requestSerialize, echoUpload.responseDeserialize, (error, response) =>
        error || response === undefined ? reject(error ?? new Error("EchoUpload answered nothing")) : resolve(response.count),
      );
      writeAll(stream, message, count).catch(reject);
    });
  }
  const stream = client.makeBidiStreamRequest(echoBidi.path, echoBidi.requestSerialize, echoBidi.responseDeserialize);
  return new Promise<number>((resolve, reject) => {
    let received = 0;
    stream.on("error", reject);
    stream.on("end", () => resolve(received));
    if (shape === "bidi-pipelined") {
      stream.on("data", () => received++);
      writeAll(stream, message, count).catch(reject);
      return;
    }
    // Ping-pong: the next request goes when the previous answer arrived.
    stream.on("data", () => {
      received++;
      if (received < count) stream.write(message);
      else stream.end();
    });
    if (count > 0) stream.write(message);
    else stream.end();
  });
}

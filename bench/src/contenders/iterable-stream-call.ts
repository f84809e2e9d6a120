// One stream call of the stream scenario in the AsyncIterable style, in any of its four shapes,
// over any client with Connect's promise-client methods (plain Connect-ES or a Sluice client).
import { create } from "@bufbuild/protobuf";
import type { JsonObject } from "../harness/scenario.js";
import { EchoRequestSchema, EchoStreamRequestSchema, type EchoRequest, type EchoStreamRequest } from "../../gen/bench/v1/echo_pb.js";
import { consume, consumeDelayMs, streamCount, streamPayload, streamShape } from "./call-args.js";
import { pingPong, repeatMessage } from "./request-sources.js";

/** The EchoService methods a stream call uses, as Connect's `createClient` (and Sluice's) shape them. */
export interface IterableEchoClient {
  echoStream(request: EchoStreamRequest): AsyncIterable<unknown>;
  echoUpload(requests: AsyncIterable<EchoRequest>): Promise<{ readonly count: number }>;
  echoBidi(requests: AsyncIterable<EchoRequest>): AsyncIterable<unknown>;
}

/**
 * Makes one stream call as `args` say (`shape`, `stream`, `bytes`, `consumeDelayMs` for server
 * streaming) and resolves with the messages it moved: responses read (server, bidi) or requests
 * the server counted (client streaming).
 */
export async function iterableStreamCall(client: IterableEchoClient, args: JsonObject): Promise<number> {
  const count = streamCount(args);
  const payload = streamPayload(args);
  let received = 0;
  switch (streamShape(args)) {
    case "server": {
      const delayMs = consumeDelayMs(args);
      if (delayMs === 0) {
        // No consumer work: no await per message (an await of nothing still costs a promise and a
        // microtask hop, which grpc-js's event reader does not pay).
        for await (const _ of client.echoStream(create(EchoStreamRequestSchema, { count, payload }))) received++;
        return received;
      }
      for await (const _ of client.echoStream(create(EchoStreamRequestSchema, { count, payload }))) {
        received++;
        await consume(delayMs);
      }
      return received;
    }
    case "client":
      return (await client.echoUpload(repeatMessage(create(EchoRequestSchema, { payload }), count))).count;
    case "bidi-pingpong": {
      const exchange = pingPong(create(EchoRequestSchema, { payload }), count);
      for await (const _ of client.echoBidi(exchange.requests)) {
        received++;
        exchange.answered();
      }
      return received;
    }
    case "bidi-pipelined":
      for await (const _ of client.echoBidi(repeatMessage(create(EchoRequestSchema, { payload }), count))) received++;
      return received;
  }
}

// Load generator of the grpc-js contender: a plain grpc.Client making requests with the protobuf-es codecs.
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { makePayload, type CreateCaller } from "../harness/contracts.js";
import { EchoRequestSchema, EchoStreamRequestSchema } from "../../gen/bench/v1/echo_pb.js";
import { STREAM_PAYLOAD_BYTES, UNARY_PAYLOAD_BYTES, streamCount } from "./call-args.js";
import { echoServiceDefinition } from "./grpc-js-definition.js";

/** Connects one grpc-js channel to the first port. */
export const createCaller: CreateCaller = async (ports) => {
  const client = new grpc.Client(`127.0.0.1:${ports[0]}`, grpc.credentials.createInsecure());
  const { echo, echoStream } = echoServiceDefinition;
  const unary = create(EchoRequestSchema, { payload: makePayload(UNARY_PAYLOAD_BYTES) });
  return {
    call(args) {
      const count = streamCount(args);
      if (count === 0) {
        return new Promise<number>((resolve, reject) => {
          client.makeUnaryRequest(echo.path, echo.requestSerialize, echo.responseDeserialize, unary, (error) =>
            error ? reject(error) : resolve(1),
          );
        });
      }
      const request = create(EchoStreamRequestSchema, { count, payload: makePayload(STREAM_PAYLOAD_BYTES) });
      const stream = client.makeServerStreamRequest(echoStream.path, echoStream.requestSerialize, echoStream.responseDeserialize, request);
      return new Promise<number>((resolve, reject) => {
        let received = 0;
        stream.on("data", () => received++);
        stream.on("error", reject);
        stream.on("end", () => resolve(received));
      });
    },
    async close() {
      client.close();
    },
  };
};

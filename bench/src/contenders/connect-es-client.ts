// Load generator of the plain Connect-ES contenders: createClient over connect-node's gRPC or Connect transport.
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { choiceOption, makePayload, type CreateCaller } from "../harness/contracts.js";
import { EchoRequestSchema, EchoService } from "../../gen/bench/v1/echo_pb.js";
import { UNARY_PAYLOAD_BYTES, streamCount } from "./call-args.js";
import { iterableStreamCall } from "./iterable-stream-call.js";

/** Options: `protocol` "grpc" (default) or "connect"; both over HTTP/2 (h2c). Streams in every shape (call-args.ts). */
export const createCaller: CreateCaller = async (ports, options) => {
  const protocol = choiceOption(options, "protocol", ["grpc", "connect"] as const, "grpc");
  const baseUrl = `http://127.0.0.1:${ports[0]}`;
  const transport =
    protocol === "grpc"
      ? createGrpcTransport({ baseUrl })
      : createConnectTransport({ baseUrl, httpVersion: "2" });
  const client = createClient(EchoService, transport);
  const unary = create(EchoRequestSchema, { payload: makePayload(UNARY_PAYLOAD_BYTES) });
  return {
    async call(args) {
      const count = streamCount(args);
      if (count === 0) {
        await client.echo(unary);
        return 1;
      }
      return iterableStreamCall(client, args);
    },
    async close() {
      // connect-node's session manager closes idle sessions itself; nothing to hold the process.
    },
  };
};

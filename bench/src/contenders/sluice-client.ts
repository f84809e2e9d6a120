// Load generator of the Sluice contenders: a Connect client over createChannel with every server port as an endpoint.
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createChannel } from "@sluice/runtime";
import { choiceOption, makePayload, type CreateCaller } from "../harness/contracts.js";
import { EchoRequestSchema, EchoService, EchoStreamRequestSchema } from "../../gen/bench/v1/echo_pb.js";
import { STREAM_PAYLOAD_BYTES, UNARY_PAYLOAD_BYTES, streamCount } from "./call-args.js";

/** Options: `protocol` "grpc" (default) or "connect"; the channel balances round-robin over the ports. */
export const createCaller: CreateCaller = async (ports, options) => {
  const protocol = choiceOption(options, "protocol", ["grpc", "connect"] as const, "grpc");
  const channel = createChannel({
    target: `static:///${ports.map((p) => `127.0.0.1:${p}`).join(",")}`,
    protocol,
  });
  const client = createClient(EchoService, channel);
  const unary = create(EchoRequestSchema, { payload: makePayload(UNARY_PAYLOAD_BYTES) });
  return {
    async call(args) {
      const count = streamCount(args);
      if (count === 0) {
        await client.echo(unary);
        return 1;
      }
      let received = 0;
      const request = create(EchoStreamRequestSchema, { count, payload: makePayload(STREAM_PAYLOAD_BYTES) });
      for await (const _ of client.echoStream(request)) received++;
      return received;
    },
    close: () => channel.close(),
  };
};

// Load generator of the grpc-js contender: a plain grpc.Client making requests with the protobuf-es codecs.
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { choiceOption, makePayload, type CreateCaller } from "../harness/contracts.js";
import { EchoRequestSchema } from "../../gen/bench/v1/echo_pb.js";
import { STREAM_PAYLOAD_BYTES, UNARY_PAYLOAD_BYTES, heldStreamCount, streamCount, toleratesOverload } from "./call-args.js";
import { echoServiceDefinition } from "./grpc-js-definition.js";
import { grpcServerStream, grpcStreamCall } from "./grpc-js-stream-call.js";
import { benchPki } from "./bench-tls.js";

/** grpc-js load-balancing policies a caller can ask for. */
const balancers = ["none", "round_robin", "pick_first"] as const;

/**
 * Options: `balancer` "none" (default: one channel to the first port), or "round_robin" /
 * "pick_first": one channel over every port (`ipv4:127.0.0.1:p1,127.0.0.1:p2,…`) with that
 * policy in its service config. `tls` "false" (default) or "true": TLS, trusting the bench CA.
 * Streams in every shape (call-args.ts).
 */
export const createCaller: CreateCaller = async (ports, options) => {
  const balancer = choiceOption(options, "balancer", balancers, "none");
  const tls = choiceOption(options, "tls", ["false", "true"] as const, "false") === "true";
  const credentials = tls ? grpc.credentials.createSsl(Buffer.from(benchPki().ca)) : grpc.credentials.createInsecure();
  const client =
    balancer === "none"
      ? new grpc.Client(`127.0.0.1:${ports[0]}`, credentials)
      : new grpc.Client(`ipv4:${ports.map((p) => `127.0.0.1:${p}`).join(",")}`, credentials, {
          "grpc.service_config": JSON.stringify({ loadBalancingConfig: [{ [balancer]: {} }] }),
        });
  const { echo } = echoServiceDefinition;
  const heldPayload = makePayload(STREAM_PAYLOAD_BYTES);
  const unary = create(EchoRequestSchema, { payload: makePayload(UNARY_PAYLOAD_BYTES) });
  let held: Promise<unknown> | undefined;
  return {
    call(args) {
      const count = streamCount(args);
      const hold = heldStreamCount(args);
      if (hold > 0 && held === undefined) held = grpcServerStream(client, hold, heldPayload).finally(() => (held = undefined));
      if (count === 0) {
        const tolerate = toleratesOverload(args);
        return new Promise<number>((resolve, reject) => {
          client.makeUnaryRequest(echo.path, echo.requestSerialize, echo.responseDeserialize, unary, (error) =>
            error && !(tolerate && error.code === grpc.status.RESOURCE_EXHAUSTED) ? reject(error) : resolve(1),
          );
        });
      }
      return grpcStreamCall(client, args);
    },
    async close() {
      client.close();
    },
  };
};

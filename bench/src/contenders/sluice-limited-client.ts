// Load generator of the overload scenario's caller-side contenders: Sluice's generated Echo client
// over a channel whose per-endpoint limit (`endpointLimit`) matches the server's limiter.
import { create } from "@bufbuild/protobuf";
import { createChannel, isShedAtCaller } from "@sluice/runtime";
import { choiceOption, intOption, makePayload, type BenchCaller, type CreateCaller } from "../harness/contracts.js";
import { EchoRequestSchema } from "../../gen/bench/v1/echo_pb.js";
import { createEchoServiceClient } from "../../gen/bench/v1/echo_sluice.js";
import { UNARY_PAYLOAD_BYTES } from "./call-args.js";
import { limitSpecOf, overloadLimiters } from "./overload-server.js";

/**
 * Options: `limiter`, one of the overload server's limiters except "none" (default "fixed"), with
 * the same settings as the server's for a server of `capacity` (default 16) calls of `serviceMs`
 * (default 10): the channel's `endpointLimit` over the one endpoint (the first port), so a call
 * over it fails at once in this process with RESOURCE_EXHAUSTED (no queue) and the server's own
 * limiter stays behind it as the backstop. Unary Echo only; call argument `timeoutMs` is the
 * deadline. A call resolves 1 on success and rejects with the ConnectError otherwise;
 * `shedAtCaller` tells the open loop which sheds never left this process, `callerLimit` the
 * channel's current limit for the endpoint.
 */
export const createCaller: CreateCaller = async (ports, options): Promise<BenchCaller> => {
  const limiter = choiceOption(options, "limiter", overloadLimiters.filter((l) => l !== "none"), "fixed");
  const endpointLimit = limitSpecOf(limiter, intOption(options, "capacity", 16), intOption(options, "serviceMs", 10));
  const channel = createChannel({ target: `static:///127.0.0.1:${ports[0] as number}`, protocol: "grpc", endpointLimit });
  await channel.waitForReady(5000);
  const client = createEchoServiceClient(channel);
  const request = create(EchoRequestSchema, { payload: makePayload(UNARY_PAYLOAD_BYTES) });
  const noDeadline = {};
  const optionsByTimeout = new Map<number, { timeoutMs: number }>();
  const callOptions = (timeoutMs: number): { timeoutMs?: number } => {
    if (timeoutMs === 0) return noDeadline;
    let found = optionsByTimeout.get(timeoutMs);
    if (found === undefined) optionsByTimeout.set(timeoutMs, (found = { timeoutMs }));
    return found;
  };
  return {
    call(args) {
      return client.echo(request, callOptions(intOption(args, "timeoutMs", 0))).then(() => 1);
    },
    shedAtCaller: isShedAtCaller,
    callerLimit: () => channel.stats().endpoints[0]?.limit?.limit,
    close: () => channel.close(),
  };
};

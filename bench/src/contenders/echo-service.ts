// The Connect-ES implementation of bench.v1.EchoService, shared by the Connect-ES and Sluice servers.
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { EchoResponseSchema, EchoService, EchoStreamResponseSchema } from "../../gen/bench/v1/echo_pb.js";

/**
 * Echo returns the payload; EchoStream yields `count` messages carrying the payload; EchoUpload
 * counts the requests it reads; EchoBidi answers each request with its payload as it reads it.
 */
export const echoServiceImpl: ServiceImpl<typeof EchoService> = {
  echo(request) {
    return create(EchoResponseSchema, { payload: request.payload });
  },
  async *echoStream(request) {
    const message = create(EchoStreamResponseSchema, { payload: request.payload });
    for (let i = 0; i < request.count; i++) yield message;
  },
  async echoUpload(requests) {
    let count = 0;
    for await (const _ of requests) count++;
    return { count };
  },
  async *echoBidi(requests) {
    for await (const request of requests) yield create(EchoResponseSchema, { payload: request.payload });
  },
};

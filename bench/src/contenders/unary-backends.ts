// Several Sluice serve() backends in one process, one per loopback port, each serving unary Echo
// with the given handler (the streaming method refuses): the balance and tail scenarios' servers.
import { serve, unimplemented, type Server } from "@sluice/runtime";
import type { HandlerContext } from "@connectrpc/connect";
import type { EchoRequest, EchoResponse } from "../../gen/bench/v1/echo_pb.js";
import { registerEchoService } from "../../gen/bench/v1/echo_sluice.js";

/** The Echo handler of backend `index` (0-based). */
export type UnaryEcho = (index: number, request: EchoRequest, context: HandlerContext) => Promise<EchoResponse>;

/** Starts `count` backends on 127.0.0.1 (port 0 each), without health service or shutdown grace. */
export async function startUnaryBackends(count: number, echo: UnaryEcho, scenario: string): Promise<Server[]> {
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    servers.push(
      await serve({
        port: 0,
        host: "127.0.0.1",
        shutdownGraceMs: 0,
        health: false,
        routes: (router) =>
          registerEchoService(router, {
            echo: (request, context) => echo(i, request, context),
            async *echoStream() {
              throw new Error(`the ${scenario} backends serve unary Echo only`);
            },
            echoUpload: unimplemented,
            echoBidi: unimplemented,
          }),
      }),
    );
  }
  return servers;
}

// Several Sluice serve() backends in one process, one per loopback port, each serving Echo with the
// given handler and, when given one, EchoStream (else it refuses): the balance and tail scenarios' servers.
import { serve, unimplemented, type Server, type ServeOptions } from "@sluice/runtime";
import type { HandlerContext } from "@connectrpc/connect";
import type { EchoRequest, EchoResponse, EchoStreamRequest, EchoStreamResponse } from "../../gen/bench/v1/echo_pb.js";
import { registerEchoService } from "../../gen/bench/v1/echo_sluice.js";

/** The Echo handler of backend `index` (0-based). */
export type UnaryEcho = (index: number, request: EchoRequest, context: HandlerContext) => Promise<EchoResponse>;

/** The EchoStream handler of backend `index` (0-based). */
export type StreamEcho = (index: number, request: EchoStreamRequest, context: HandlerContext) => AsyncIterable<EchoStreamResponse>;

/** The handlers every backend serves; without `echoStream` the streaming method refuses. */
export interface EchoBackendHandlers {
  readonly echo: UnaryEcho;
  readonly echoStream?: StreamEcho;
}

/**
 * Starts `count` backends on 127.0.0.1 (port 0 each), without health service or shutdown grace;
 * `serveOptions` (e.g. `limits`) apply to each. `scenario` names the refusal of a missing stream handler.
 */
export async function startUnaryBackends(
  count: number,
  handlers: EchoBackendHandlers,
  scenario: string,
  serveOptions: Omit<ServeOptions, "routes"> = {},
): Promise<Server[]> {
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    servers.push(
      await serve({
        port: 0,
        host: "127.0.0.1",
        shutdownGraceMs: 0,
        health: false,
        ...serveOptions,
        routes: (router) =>
          registerEchoService(router, {
            echo: (request, context) => handlers.echo(i, request, context),
            echoStream: (request, context) => {
              if (handlers.echoStream === undefined) throw new Error(`the ${scenario} backends serve unary Echo only`);
              return handlers.echoStream(i, request, context);
            },
            echoUpload: unimplemented,
            echoBidi: unimplemented,
          }),
      }),
    );
  }
  return servers;
}

// Test support: an Echo server whose capacity is fixed (the bench's capacity gate in the handler),
// counting the calls its handler started.
import type { ConnectRouter } from "@connectrpc/connect";
import { serve, type Server, type ServeOptions } from "@sluice/runtime";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { createCapacityGate } from "../../bench/src/contenders/capacity-gate.js";

/** A server of fixed capacity, how many calls its handler started, and how many had to queue in it. */
export interface CapacityServer {
  readonly server: Server;
  readonly handled: () => number;
  readonly queuedInHandler: () => number;
}

/** Starts serve() on 127.0.0.1 with an Echo of `capacity` calls at once, `serviceMs` each. */
export async function startCapacityServer(capacity: number, serviceMs: number, options: Partial<ServeOptions> = {}): Promise<CapacityServer> {
  const gate = createCapacityGate(capacity, serviceMs);
  let handled = 0;
  const routes = (router: ConnectRouter): void => {
    router.service(EchoService, {
      async echo(request, context) {
        handled++;
        await gate.work(context.signal);
        return { text: request.text };
      },
    });
  };
  const server = await serve({ host: "127.0.0.1", shutdownGraceMs: 200, routes, ...options });
  return { server, handled: () => handled, queuedInHandler: gate.waited };
}

// Test support: an Echo server whose capacity is fixed — at most `capacity` calls are worked on at
// once, each for `serviceMs`; the rest wait in the handler's FIFO (as a CPU-bound service would).
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { serve, type Server, type ServeOptions } from "@sluice/runtime";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";

/** A server of fixed capacity, and how many calls its handler started. */
export interface CapacityServer {
  readonly server: Server;
  readonly handled: () => number;
}

/** Starts serve() with an Echo of fixed capacity on 127.0.0.1. */
export async function startCapacityServer(capacity: number, serviceMs: number, options: Partial<ServeOptions> = {}): Promise<CapacityServer> {
  let busy = 0;
  let handled = 0;
  const waiting: Array<() => void> = [];
  const work = async (signal: AbortSignal): Promise<void> => {
    if (busy >= capacity) {
      await new Promise<void>((resolve, reject) => {
        const go = (): void => {
          signal.removeEventListener("abort", quit);
          resolve();
        };
        const quit = (): void => {
          waiting.splice(waiting.indexOf(go), 1);
          reject(new ConnectError("cancelled while waiting", Code.Canceled));
        };
        waiting.push(go);
        signal.addEventListener("abort", quit, { once: true });
      });
    }
    busy++;
    try {
      await new Promise((r) => setTimeout(r, serviceMs));
    } finally {
      busy--;
      waiting.shift()?.();
    }
  };
  const routes = (router: ConnectRouter): void => {
    router.service(EchoService, {
      async echo(request, context) {
        handled++;
        await work(context.signal);
        return { text: request.text };
      },
    });
  };
  const server = await serve({ host: "127.0.0.1", shutdownGraceMs: 200, routes, ...options });
  return { server, handled: () => handled };
}

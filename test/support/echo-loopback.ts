// The fast-path suite's EchoService served by serve() on loopback with the handlers a spec gives, and
// a Sluice channel to it that is ready: the fixture of specs that call through a policy client.
import { createChannel, createPolicyClient, registerService, serve, type Channel, type PolicyTable, type Server } from "@sluice/runtime";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";

const policies = {} as PolicyTable<typeof EchoService>;

/** A running server, its channel, and a client over that channel. */
export interface EchoLoopback {
  readonly server: Server;
  readonly channel: Channel;
  /** A policy client of EchoService over the channel (no policies). */
  client(): ReturnType<typeof createPolicyClient<typeof EchoService>>;
  /** Closes the channel, then the server. */
  close(): Promise<void>;
}

/** Serves `handlers` (any subset of EchoService's methods) on 127.0.0.1 and opens a ready channel to it. */
export async function startEchoLoopback(handlers: object): Promise<EchoLoopback> {
  const server = await serve({ host: "127.0.0.1", shutdownGraceMs: 200, routes: (router) => registerService(router, EchoService, handlers) });
  const channel = createChannel({ target: `static:///127.0.0.1:${server.port}` });
  await channel.waitForReady(5000);
  return {
    server,
    channel,
    client: () => createPolicyClient(EchoService, channel, policies),
    async close() {
      await channel.close(100);
      await server.close();
    },
  };
}

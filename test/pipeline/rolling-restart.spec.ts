// Rolling restart: three servers, each closed gracefully and started again on its port one after
// another while 16 callers run unary calls for 10 s — no call may fail, on both client transports,
// with Sluice's serve() and with grpc-js servers shut down with tryShutdown.
import * as grpc from "@grpc/grpc-js";
import { ConnectError } from "@connectrpc/connect";
import { createChannel, createPolicyClient, serve, type PolicyTable, type Server, type TransportImplementation } from "@sluice/runtime";
import { EchoService, type EchoRequest } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { registerEcho } from "../fast-path/echo-service.js";
import { grpcJsService } from "../support/grpc-js-definition.js";

/** A server that can be stopped gracefully and started again on the same port. */
interface Restartable {
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function sluiceServer(): Promise<Restartable> {
  let server: Server = await serve({ host: "127.0.0.1", shutdownGraceMs: 5000, routes: (r) => registerEcho(r) });
  const port = server.port;
  return {
    port,
    stop: () => server.close(),
    async start() {
      server = await serve({ host: "127.0.0.1", port, shutdownGraceMs: 5000, routes: (r) => registerEcho(r) });
    },
  };
}

async function grpcJsServer(): Promise<Restartable> {
  const make = async (port: number): Promise<[grpc.Server, number]> => {
    const server = new grpc.Server();
    server.addService(grpcJsService(EchoService), {
      echo(call: grpc.ServerUnaryCall<EchoRequest, object>, callback: grpc.sendUnaryData<object>) {
        setTimeout(() => callback(null, { $typeName: "fastpath.v1.EchoResponse", text: call.request.text, index: 0, payload: new Uint8Array(0) }), call.request.delayMs);
      },
    });
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
    );
    return [server, bound];
  };
  let [server, port] = await make(0);
  return {
    port,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
    async start() {
      [server] = await make(port);
    },
  };
}

const kinds: [string, () => Promise<Restartable>][] = [
  ["Sluice serve()", sluiceServer],
  ["grpc-js with tryShutdown", grpcJsServer],
];
const cases: [string, TransportImplementation, () => Promise<Restartable>][] = [];
for (const [name, make] of kinds) for (const t of ["sluice", "connect-node"] as const) cases.push([name, t, make]);

describe.each(cases)("rolling restart of three %s servers, client transport %s", (_name, implementation, make) => {
  it("fails no call while each server is stopped gracefully and restarted in turn", async () => {
    const servers = await Promise.all([make(), make(), make()]);
    const channel = createChannel({
      target: `static:///${servers.map((s) => `127.0.0.1:${s.port}`).join(",")}`,
      transport: implementation,
      backoff: { initialMs: 100, maxMs: 500 },
    });
    const client = createPolicyClient(EchoService, channel, {} as PolicyTable<typeof EchoService>);
    try {
      await channel.waitForReady({ endpoints: "all", timeoutMs: 5000 });
      const failures: string[] = [];
      let calls = 0;
      let running = true;
      const caller = async (): Promise<void> => {
        while (running) {
          calls++;
          try {
            await client.echo({ text: "r", delayMs: 2 }, { timeoutMs: 5000 });
          } catch (error) {
            failures.push(ConnectError.from(error).message);
          }
        }
      };
      const callers = Array.from({ length: 16 }, caller);
      const started = Date.now();
      await new Promise((r) => setTimeout(r, 1000));
      for (const server of servers) {
        await server.stop();
        await new Promise((r) => setTimeout(r, 300));
        await server.start();
        await new Promise((r) => setTimeout(r, 1500));
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - started))));
      running = false;
      await Promise.all(callers);
      expect(failures).toEqual([]);
      // Load was really applied throughout (the count depends on the machine; CI shares two cores).
      expect(calls).toBeGreaterThan(300);
    } finally {
      await channel.close(1000);
      await Promise.all(servers.map((s) => s.stop()));
    }
  }, 30_000);
});

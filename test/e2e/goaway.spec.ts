// GOAWAY never crashes the client: a server that closes gracefully (GOAWAY on an idle session) and
// comes back on the same port is used again, and a busy session's accepted calls finish.
import { createClient } from "@connectrpc/connect";
import { createChannel, serve, type Server } from "@sluice/runtime";
import { Health } from "../../packages/runtime/src/gen/grpc/health/v1/health_pb.js";

async function healthServer(port = 0): Promise<Server> {
  return serve({ port, host: "127.0.0.1", routes: () => {}, shutdownGraceMs: 200 });
}

describe("GOAWAY", () => {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => {
    uncaught.push(error);
  };
  beforeAll(() => process.on("uncaughtException", onUncaught));
  afterAll(() => process.off("uncaughtException", onUncaught));

  it("on an idle session: the process survives and the next calls reach the restarted server", async () => {
    let server = await healthServer();
    const port = server.port;
    const channel = createChannel({ target: `static:///127.0.0.1:${port}`, backoff: { initialMs: 50, maxMs: 100 } });
    const client = createClient(Health, channel);
    try {
      for (let round = 0; round < 5; round++) {
        expect((await client.check({})).status).toBe(1);
        await server.close(); // GOAWAY(NO_ERROR) to the idle client session
        server = await healthServer(port);
        const response = await client.check({}, { timeoutMs: 5000 }).catch(async () => client.check({}, { timeoutMs: 5000 }));
        expect(response.status).toBe(1);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(uncaught).toEqual([]);
    } finally {
      await channel.close();
      await server.close();
    }
  });

  it("sent on an idle session that stays open: the deferred session error is not raised as uncaught", async () => {
    const server = await healthServer();
    const sessions: import("node:http2").ServerHttp2Session[] = [];
    server.http2Server.on("session", (session) => sessions.push(session));
    const channel = createChannel({ target: `static:///127.0.0.1:${server.port}` });
    const client = createClient(Health, channel);
    try {
      for (let round = 0; round < 5; round++) {
        expect((await client.check({})).status).toBe(1);
        for (const session of sessions.splice(0)) session.goaway(0);
        await new Promise((r) => setTimeout(r, 5));
        expect((await client.check({}, { timeoutMs: 5000 })).status).toBe(1);
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(uncaught).toEqual([]);
    } finally {
      await channel.close();
      await server.close();
    }
  });
});

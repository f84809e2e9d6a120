// End to end: server.shutdown({ graceMs }) revokes the server's registrations before anything else,
// lets calls in flight finish within the grace period and cancels the rest; SIGTERM runs it.
import { Code, ConnectError } from "@connectrpc/connect";
import { createChannel, createClient, createMemoryRegistry, shutdownOnSignals } from "@sluice/runtime";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { channelTo, startBackends, fleetClosedAfterEach } from "./backends.js";
import { eventually } from "../support/inventory.js";

describe("graceful shutdown", () => {
  const t = fleetClosedAfterEach();

  it("revokes owned and given registrations first, then finishes calls in flight within the grace period", async () => {
    t.backends = await startBackends(1);
    const registry = createMemoryRegistry();
    const server = t.backends[0].server;
    server.own(registry.register(server, { service: "owned" }));
    const given = registry.register(server, { service: "given" });
    t.channel = await channelTo(t.backends);
    const client = createClient(EchoService, t.channel);
    const inFlight = client.echo({ text: "slow", delayMs: 300 });
    await eventually(() => t.backends[0].seen.length === 1, 2000, "the call reached the server");
    const shutdown = server.shutdown({ graceMs: 2000, registrations: [given] });
    await eventually(() => registry.endpoints("owned").length === 0 && registry.endpoints("given").length === 0, 1000, "registrations revoked");
    expect(server.health.getStatus("")).toBe("NOT_SERVING");
    expect((await inFlight).text).toBe("b0:slow");
    await shutdown;
    expect(t.backends[0].aborted).toBe(0);
  });

  it("cancels calls still running when the grace period ends", async () => {
    t.backends = await startBackends(1);
    t.channel = await channelTo(t.backends);
    const client = createClient(EchoService, t.channel);
    const long = client.echo({ text: "long", delayMs: 10_000 }).catch((e: unknown) => ConnectError.from(e));
    await eventually(() => t.backends[0].seen.length === 1, 2000, "the call reached the server");
    const started = Date.now();
    await t.backends[0].server.shutdown({ graceMs: 200 });
    expect(Date.now() - started).toBeLessThan(2000);
    const error = await long;
    expect(error).toBeInstanceOf(ConnectError);
    expect([Code.Unavailable, Code.Canceled, Code.Internal]).toContain((error as ConnectError).code);
    await eventually(() => t.backends[0].aborted === 1, 2000, "the handler saw its call cancelled");
  });

  it("shuts down on SIGTERM with shutdownOnSignals", async () => {
    t.backends = await startBackends(1);
    const registry = createMemoryRegistry();
    t.backends[0].server.own(registry.register(t.backends[0].server, { service: "signalled" }));
    const remove = shutdownOnSignals(t.backends[0].server, { exit: false, graceMs: 100 });
    try {
      process.emit("SIGTERM", "SIGTERM");
      await eventually(() => registry.endpoints("signalled").length === 0, 1000, "registration revoked");
      await eventually(() => !t.backends[0].server.http2Server.listening, 2000, "the server stopped listening");
    } finally {
      remove();
    }
    t.channel = createChannel({ target: `static:///127.0.0.1:${t.backends[0].server.port}`, pickTimeoutMs: 300 });
    await expect(createClient(EchoService, t.channel).echo({ text: "x" }, { timeoutMs: 500 })).rejects.toThrow();
  });

  it("rejects a bad grace period naming the field", async () => {
    t.backends = await startBackends(1);
    await expect(t.backends[0].server.shutdown({ graceMs: -1 })).rejects.toThrow(/shutdown.graceMs/);
  });
});

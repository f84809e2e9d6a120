// A lost connection reads the same on both client implementations and every call shape: UNAVAILABLE
// "connection to <endpoint> lost: <cause>", naming the address the channel dialled.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createChannel, createSluiceTransport, type Channel, type Server } from "@sluice/runtime";
import { startBlackholeProxy, type BlackholeProxy } from "../support/blackhole-proxy.js";
import { EchoService } from "./gen/fastpath/v1/echo_pb.js";
import { startEchoServer } from "./echo-service.js";

/** Runs `call`, resets every proxied connection once the call is under way, and returns its error. */
async function failureWhenReset(proxy: BlackholeProxy, call: (started: () => void) => Promise<unknown>): Promise<ConnectError> {
  const outcome = call(() => setTimeout(() => proxy.reset(), 50)).then(
    () => new Error("the call succeeded"),
    (e: unknown) => e,
  );
  const result = await outcome;
  if (!(result instanceof ConnectError)) throw result;
  return result;
}

const cases: ["sluice" | "connect-node", "grpc" | "connect"][] = [
  ["sluice", "grpc"],
  ["sluice", "connect"],
  ["connect-node", "grpc"],
  ["connect-node", "connect"],
];

describe.each(cases)("channel transport %s over %s: a lost connection", (implementation, protocol) => {
  let server: Server;
  let proxy: BlackholeProxy;
  let channel: Channel;
  let lost: RegExp;
  beforeAll(async () => {
    server = await startEchoServer();
    proxy = await startBlackholeProxy(server.port);
    lost = new RegExp(`^connection to 127\\.0\\.0\\.1:${proxy.port} lost: .+`);
    channel = createChannel({ target: `static:///127.0.0.1:${proxy.port}`, protocol, transport: implementation, outlierDetection: false });
    await channel.waitForReady();
  });
  afterAll(async () => {
    await channel.close();
    await proxy.close();
    await server.close();
  });

  it("fails a unary call in flight with UNAVAILABLE naming the endpoint", async () => {
    const client = createClient(EchoService, channel);
    const error = await failureWhenReset(proxy, (started) => {
      started();
      return client.echo({ text: "slow", delayMs: 5000 });
    });
    expect([error.code, error.rawMessage]).toEqual([Code.Unavailable, expect.stringMatching(lost)]);
  });

  it("fails a server stream being read with the same wording", async () => {
    const client = createClient(EchoService, channel);
    const error = await failureWhenReset(proxy, async (started) => {
      let n = 0;
      for await (const _ of client.serverStream({ text: "s", count: 1000, delayMs: 20 })) {
        if (n++ === 1) started();
      }
    });
    expect([error.code, error.rawMessage]).toEqual([Code.Unavailable, expect.stringMatching(lost)]);
  });
});

it("the fast transport on its own names the endpoint too", async () => {
  const server = await startEchoServer();
  const proxy = await startBlackholeProxy(server.port);
  const transport = createSluiceTransport({ baseUrl: `http://127.0.0.1:${proxy.port}` });
  try {
    const client = createClient(EchoService, transport);
    await client.echo({ text: "warm" });
    const error = await failureWhenReset(proxy, (started) => {
      started();
      return client.echo({ text: "slow", delayMs: 5000 });
    });
    expect([error.code, error.rawMessage]).toEqual([Code.Unavailable, expect.stringMatching(new RegExp(`^connection to 127\\.0\\.0\\.1:${proxy.port} lost: `))]);
  } finally {
    transport.connection.abort();
    await proxy.close();
    await server.close();
  }
});

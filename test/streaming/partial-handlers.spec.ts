// Handlers implemented in part: methods set to `unimplemented` answer UNIMPLEMENTED on every
// protocol, the others work; bad registrations are refused with the field named.
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { createChannel, createPolicyClient, registerService, serve, unimplemented, type PolicyTable, type Protocol } from "@sluice/runtime";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";

const policies = {} as PolicyTable<typeof EchoService>;
const partial = {
  echo: (request: { text: string }) => ({ text: request.text }),
  serverStream: unimplemented,
  clientStream: unimplemented,
  bidi: unimplemented,
};

describe.each<Protocol>(["grpc", "connect"])("handlers implemented in part, protocol %s", (protocol) => {
  it("answers UNIMPLEMENTED for the methods left out and serves the others", async () => {
    const server = await serve({ host: "127.0.0.1", shutdownGraceMs: 100, routes: (router) => registerService(router, EchoService, partial) });
    const channel = createChannel({ target: `static:///127.0.0.1:${server.port}`, protocol });
    try {
      const client = createPolicyClient(EchoService, channel, policies);
      expect((await client.echo({ text: "x" })).text).toBe("x");
      const streamed = await (async () => {
        for await (const _ of client.serverStream({ count: 1 }));
      })().catch((e: unknown) => e);
      expect(streamed).toMatchObject({ code: Code.Unimplemented });
      const uploaded = await client.clientStream((async function* () {})()).catch((e: unknown) => e);
      expect(uploaded).toMatchObject({ code: Code.Unimplemented });
    } finally {
      await channel.close(100);
      await server.close();
    }
  });
});

describe("registerService", () => {
  it("refuses a method that is neither a handler nor `unimplemented`, naming it", () => {
    const transport = () => createRouterTransport((router) => registerService(router, EchoService, { ...partial, echo: "yes" }));
    expect(transport).toThrow("echo: must be a handler function or `unimplemented`, got string");
  });

  it("refuses a bad observableOutput, naming the field and the accepted values", () => {
    const transport = () =>
      createRouterTransport((router) => registerService(router, EchoService, partial, { observableOutput: { overflow: "grow" as never } }));
    expect(transport).toThrow('observableOutput.overflow: must be one of "error", "drop-oldest", "drop-newest", got "grow"');
  });

  it("keeps a handler's `this`", async () => {
    const impl = {
      prefix: "p:",
      echo(this: { prefix: string }, request: { text: string }) {
        return { text: this.prefix + request.text };
      },
      serverStream: unimplemented,
      clientStream: unimplemented,
      bidi: unimplemented,
    };
    const transport = createRouterTransport((router) => registerService(router, EchoService, impl));
    const client = createPolicyClient(EchoService, transport, policies);
    expect((await client.echo({ text: "x" })).text).toBe("p:x");
    await expect(client.clientStream((async function* () {})())).rejects.toBeInstanceOf(ConnectError);
  });
});

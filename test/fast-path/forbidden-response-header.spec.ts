// A handler that sets a response header HTTP/2 forbids: node refuses the headers, the call is reset
// with INTERNAL_ERROR (from the next turn of the event loop), the caller sees INTERNAL and the server
// keeps serving on the same connection.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { serve, type Server } from "@sluice/runtime";
import { createSluiceTransport, type SluiceTransport } from "../../packages/runtime/src/transport/sluice-transport.js";
import { EchoService } from "./gen/fastpath/v1/echo_pb.js";

describe("a response header HTTP/2 forbids", () => {
  let server: Server;
  let transport: SluiceTransport;

  beforeAll(async () => {
    server = await serve({
      host: "127.0.0.1",
      shutdownGraceMs: 200,
      routes: (router) =>
        router.service(EchoService, {
          echo(request, context) {
            // "connection" is a connection-specific header: node's respond() throws on it.
            if (request.text === "forbidden") context.responseHeader.set("connection", "close");
            return { text: request.text };
          },
        }),
    });
    transport = createSluiceTransport({ baseUrl: server.url, protocol: "grpc" });
  });
  afterAll(async () => {
    transport.connection.abort();
    await server.close();
  });

  it("fails the call with INTERNAL, and the next call on the same connection succeeds", async () => {
    const client = createClient(EchoService, transport);
    const error = await client.echo({ text: "forbidden" }).catch((e: unknown) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Internal);
    expect((await client.echo({ text: "fine" })).text).toBe("fine");
    expect((await client.echo({ text: "fine again" })).text).toBe("fine again");
  });
});

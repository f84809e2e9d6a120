// The client's default receive limit: 4 MiB, as on the server, on both client implementations and
// every protocol they speak; `readMaxBytes` raises it.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createChannel, createSluiceTransport, type Protocol, type Server } from "@sluice/runtime";
import { EchoService } from "./gen/fastpath/v1/echo_pb.js";
import { startEchoServer } from "./echo-service.js";

/** A response just over the 4 MiB default (the echo handler returns the request's payload). */
const payload = new Uint8Array(5 * 1024 * 1024).fill(7);

const cases: ["sluice" | "connect-node", Protocol][] = [];
for (const implementation of ["sluice", "connect-node"] as const) {
  for (const protocol of ["grpc", "connect", "grpc-web"] as const) cases.push([implementation, protocol]);
}

describe("client receive limit", () => {
  let server: Server;
  beforeAll(async () => {
    // The server takes the 5 MiB request so that it can answer with 5 MiB.
    server = await startEchoServer({ readMaxBytes: 16 * 1024 * 1024 });
  });
  afterAll(async () => {
    await server.close();
  });

  it.each(cases)("channel transport %s over %s: a 5 MiB response is RESOURCE_EXHAUSTED by default, accepted with readMaxBytes", async (implementation, protocol) => {
    const target = `static:///127.0.0.1:${server.port}`;
    const limited = createChannel({ target, protocol, transport: { implementation } });
    const raised = createChannel({ target, protocol, transport: { implementation, readMaxBytes: 6 * 1024 * 1024 } });
    try {
      const client = createClient(EchoService, limited);
      const unary = ConnectError.from(await client.echo({ payload }).catch((e: unknown) => e));
      expect(unary.code).toBe(Code.ResourceExhausted);
      expect(unary.rawMessage).toMatch(/larger than configured readMaxBytes 4194304/);
      const streamed = ConnectError.from(
        await (async () => {
          for await (const _ of client.serverStream({ payload, count: 1 }));
        })().catch((e: unknown) => e),
      );
      expect(streamed.code).toBe(Code.ResourceExhausted);

      const big = createClient(EchoService, raised);
      expect((await big.echo({ payload })).payload.byteLength).toBe(payload.byteLength);
      let received = 0;
      for await (const m of big.serverStream({ payload, count: 1 })) received += m.payload.byteLength;
      expect(received).toBe(payload.byteLength);
    } finally {
      await Promise.all([limited.close(), raised.close()]);
    }
  });

  it("createSluiceTransport on its own has the same 4 MiB default", async () => {
    const transport = createSluiceTransport({ baseUrl: server.url });
    try {
      const error = ConnectError.from(await createClient(EchoService, transport).echo({ payload }).catch((e: unknown) => e));
      expect(error.code).toBe(Code.ResourceExhausted);
      expect(error.rawMessage).toMatch(/readMaxBytes 4194304/);
    } finally {
      transport.connection.abort();
    }
  });
});

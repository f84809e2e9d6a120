// The channel on both client implementations ("sluice", "connect-node") and every protocol, against
// serve() on both server implementations: the same calls behave the same.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createChannel, type Protocol, type Server } from "@sluice/runtime";
import { EchoResponseSchema, EchoService } from "./gen/fastpath/v1/echo_pb.js";
import { startEchoServer } from "./echo-service.js";

async function* from<T>(items: readonly T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

const cases: ["sluice" | "connect-node", Protocol, "sluice" | "connect-node"][] = [];
for (const impl of ["sluice", "connect-node"] as const) {
  for (const protocol of ["grpc", "connect", "grpc-web"] as const) {
    for (const serverImpl of ["sluice", "connect-node"] as const) cases.push([impl, protocol, serverImpl]);
  }
}

describe.each(cases)("channel transport %s over %s → serve() %s", (implementation, protocol, serverTransport) => {
  let servers: Server[];
  beforeAll(async () => {
    servers = await Promise.all([startEchoServer({ transport: serverTransport }), startEchoServer({ transport: serverTransport })]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it("unary, errors with details, streams, deadline", async () => {
    const channel = createChannel({
      target: `static:///${servers.map((s) => `127.0.0.1:${s.port}`).join(",")}`,
      protocol,
      transport: implementation,
    });
    const client = createClient(EchoService, channel);
    try {
      for (let i = 0; i < 4; i++) expect((await client.echo({ text: `u${i}` })).text).toBe(`u${i}`);
      const error = ConnectError.from(await client.echo({ text: "e", failCode: Code.OutOfRange }).catch((e: unknown) => e));
      expect(error.code).toBe(Code.OutOfRange);
      expect(error.findDetails(EchoResponseSchema)[0]?.index).toBe(7);
      const indexes: number[] = [];
      for await (const m of client.serverStream({ text: "s", count: 5 })) indexes.push(m.index);
      expect(indexes).toEqual([0, 1, 2, 3, 4]);
      expect((await client.clientStream(from([{ text: "a" }, { text: "b" }]))).text).toBe("a,b");
      const texts: string[] = [];
      for await (const m of client.bidi(from([{ text: "x" }, { text: "y" }]))) texts.push(m.text);
      expect(texts).toEqual(["x", "y"]);
      const late = ConnectError.from(await client.echo({ text: "slow", delayMs: 1000 }, { timeoutMs: 80 }).catch((e: unknown) => e));
      expect(late.code).toBe(Code.DeadlineExceeded);
      expect(channel.stats().endpoints.every((e) => e.state === "ready")).toBe(true);
    } finally {
      await channel.close();
    }
  });
});

it("createChannel and serve reject an unknown transport naming the field", async () => {
  expect(() => createChannel({ target: "static:///127.0.0.1:1", transport: "fast" as never })).toThrow(/transport: unknown implementation "fast"; accepted: sluice, connect-node/);
  await expect(startEchoServer({ transport: "fast" as never })).rejects.toThrow(/transport: unknown transport "fast"; accepted: sluice, connect-node/);
});

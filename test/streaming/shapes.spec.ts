// All four RPC shapes in both styles — AsyncIterable and rxjs Observable, on the client and in the
// handlers — over the gRPC and Connect protocols, on both client transports, against serve().
import { Code, ConnectError } from "@connectrpc/connect";
import { firstValueFrom, from, lastValueFrom, Observable, toArray } from "rxjs";
import { createChannel, createPolicyClient, type Channel, type PolicyTable, type Protocol, type TransportImplementation } from "@sluice/runtime";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { startRxEchoServer, type RxEchoServer } from "./rx-echo-server.js";

type Style = "iterable" | "observable";
const policies = {} as PolicyTable<typeof EchoService>;
const combos: [TransportImplementation, Protocol][] = [
  ["sluice", "grpc"],
  ["sluice", "connect"],
  ["connect-node", "grpc"],
  ["connect-node", "connect"],
];

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function* texts(values: readonly string[]): AsyncGenerator<{ text: string }> {
  for (const text of values) yield { text };
}

describe.each(combos)("client transport %s, protocol %s", (transport, protocol) => {
  let server: RxEchoServer;
  let channel: Channel;
  beforeAll(async () => {
    server = await startRxEchoServer();
    channel = createChannel({ target: `static:///127.0.0.1:${server.server.port}`, transport, protocol });
    await channel.waitForReady(5000);
  });
  afterAll(async () => {
    await channel.close(100);
    await server.close();
  });
  const client = () => createPolicyClient(EchoService, channel, policies, undefined, { rxjsUnary: true });

  describe.each<Style>(["iterable", "observable"])("%s style", (style) => {
    const headers = { "x-style": style };

    it("unary answers once", async () => {
      const c = client();
      const response = style === "observable" ? await firstValueFrom(c.echo$({ text: "u" }, { headers })) : await c.echo({ text: "u" }, { headers });
      expect(response.text).toBe("u");
    });

    it("server streaming delivers every message in order, then completes", async () => {
      const c = client();
      const request = { text: "s", count: 5 };
      const messages =
        style === "observable"
          ? await lastValueFrom(c.serverStream$(request, { headers }).pipe(toArray()))
          : await collect(c.serverStream(request, { headers }));
      expect(messages.map((m) => m.index)).toEqual([0, 1, 2, 3, 4]);
    });

    it("client streaming sends every request and answers once", async () => {
      const c = client();
      const input = style === "observable" ? from([{ text: "a" }, { text: "b" }, { text: "c" }]) : texts(["a", "b", "c"]);
      const response = style === "observable" ? await firstValueFrom(c.clientStream$(input, { headers })) : await c.clientStream(input, { headers });
      expect(response.text).toBe("a,b,c");
      expect(response.index).toBe(3);
    });

    it("bidi answers each request in order", async () => {
      const c = client();
      const input = style === "observable" ? from([{ text: "a" }, { text: "b" }, { text: "c" }]) : texts(["a", "b", "c"]);
      const messages =
        style === "observable" ? await lastValueFrom(c.bidi$(input, { headers }).pipe(toArray())) : await collect(c.bidi(input, { headers }));
      expect(messages.map((m) => `${m.text}${m.index}`)).toEqual(["a0", "b1", "c2"]);
    });

    it("a handler failing mid-stream ends the call with its code after the messages before it", async () => {
      const c = client();
      const request = { text: "f", count: 2, failCode: Code.DataLoss };
      const seen: number[] = [];
      const outcome =
        style === "observable"
          ? new Promise<unknown>((resolve) => c.serverStream$(request, { headers }).subscribe({ next: (m) => seen.push(m.index), error: resolve }))
          : (async () => {
              try {
                for await (const m of c.serverStream(request, { headers })) seen.push(m.index);
              } catch (error) {
                return error;
              }
              return undefined;
            })();
      const error = await outcome;
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toBe(Code.DataLoss);
      expect(seen).toEqual([0, 1]);
    });
  });

  it("an input Observable that errors mid-stream ends the call with its code", async () => {
    const input = new Observable<{ text: string }>((subscriber) => {
      subscriber.next({ text: "a" });
      setTimeout(() => subscriber.error(new ConnectError("source broke", Code.Aborted)), 20);
    });
    const error = await lastValueFrom(client().bidi$(input, { headers: { "x-style": "observable" } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Aborted);
  });

  it("a handler's Observable that errors mid-stream ends the bidi call with its code", async () => {
    const input = texts(["a", "b"]);
    const error = await (async () => {
      try {
        for await (const _ of client().bidi((async function* () {
          yield* input;
          yield { text: "bad", failCode: Code.FailedPrecondition };
        })(), { headers: { "x-style": "observable" } }));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect((error as ConnectError).code).toBe(Code.FailedPrecondition);
  });
});

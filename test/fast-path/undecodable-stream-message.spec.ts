// A response stream whose message cannot be decoded, from a raw node:http2 gRPC server on loopback:
// the Sluice client hands out the messages before it, then fails with INTERNAL (not a clean end, even
// when the status is in before the reader gets there), and cancels the stream when it is still open.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { createChannel, createPolicyClient, type Channel, type PolicyTable } from "@sluice/runtime";
import { EchoResponseSchema, EchoService } from "./gen/fastpath/v1/echo_pb.js";
import { envelope } from "../support/raw-h2.js";

/** Field 1 (string) announcing 5 bytes, with 1: protobuf cannot decode it. */
const truncated = new Uint8Array([0x0a, 0x05, 0x61]);
const good = (text: string): Buffer => envelope(toBinary(EchoResponseSchema, create(EchoResponseSchema, { text })));

/** How the raw server answers after its three messages. */
type Ending = "left open" | "trailers at once";

describe("a response stream with a message that cannot be decoded", () => {
  let server: http2.Http2Server;
  let channel: Channel;
  let ending: Ending = "left open";
  /** The RST_STREAM code of each stream the server saw close. */
  const closedWith: number[] = [];

  beforeAll(async () => {
    server = http2.createServer();
    server.on("stream", (stream) => {
      stream.on("close", () => closedWith.push(stream.rstCode));
      const trailers = ending === "trailers at once";
      stream.respond({ ":status": 200, "content-type": "application/grpc+proto" }, { waitForTrailers: trailers });
      if (trailers) stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      // One write: the first message reaches a waiting reader, the other two are queued.
      stream.write(Buffer.concat([good("one"), good("two"), envelope(truncated), good("after")]));
      if (trailers) stream.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    channel = createChannel({ target: `static:///127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
  afterAll(async () => {
    await channel.close(100);
    await new Promise((resolve) => server.close(resolve));
  });

  const client = () => createPolicyClient(EchoService, channel, {} as PolicyTable<typeof EchoService>);

  /** Reads the stream, pausing `pauseMs` after the first message; returns the texts read and the error it ended with. */
  async function read(pauseMs: number): Promise<{ texts: string[]; error: unknown }> {
    const texts: string[] = [];
    try {
      for await (const message of client().serverStream({ text: "x" })) {
        texts.push(message.text);
        if (texts.length === 1) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    } catch (error) {
      return { texts, error };
    }
    return { texts, error: undefined };
  }

  it("hands out the messages before it, then fails INTERNAL and cancels the open stream (the server sees CANCEL)", async () => {
    ending = "left open";
    closedWith.length = 0;
    const { texts, error } = await read(0);
    expect(texts).toEqual(["one", "two"]);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Internal);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closedWith).toEqual([http2.constants.NGHTTP2_CANCEL]);
  });

  it("fails INTERNAL, not a clean end, when the call had ended before the reader reached the message", async () => {
    ending = "trailers at once";
    // The reader pauses after the first message until the status (grpc-status 0) is in.
    const { texts, error } = await read(150);
    expect(texts).toEqual(["one", "two"]);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Internal);
  });
});

// resetStream against a real loopback HTTP/2 server: the reset is deferred one turn and reaches the peer.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { resetStream } from "./reset-stream.js";

describe("resetStream", () => {
  let server: http2.Http2Server;
  let session: http2.ClientHttp2Session;
  /** The RST_STREAM code each server stream was closed with, by request path. */
  const serverSaw = new Map<string, Promise<number | undefined>>();

  beforeAll(async () => {
    server = http2.createServer();
    server.on("stream", (stream, headers) => {
      stream.on("error", () => {});
      serverSaw.set(headers[":path"] as string, new Promise((resolve) => stream.on("close", () => resolve(stream.rstCode))));
      stream.respond({ ":status": 200 });
      stream.write("hello");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    session.on("error", () => {});
  });
  afterAll(async () => {
    session.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const open = (path: string): Promise<http2.ClientHttp2Stream> =>
    new Promise((resolve) => {
      const stream = session.request({ ":path": path, ":method": "POST" });
      stream.on("error", () => {});
      stream.once("data", () => resolve(stream));
    });

  it("does not close the stream in the call, but on the next turn of the event loop, and the peer gets the code", async () => {
    const stream = await open("/later");
    resetStream(stream, http2.constants.NGHTTP2_CANCEL);
    expect(stream.closed).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.closed).toBe(true);
    expect(stream.rstCode).toBe(http2.constants.NGHTTP2_CANCEL);
    expect(await serverSaw.get("/later")).toBe(http2.constants.NGHTTP2_CANCEL);
  });

  it("leaves alone a stream closed before its turn comes, with the code it was closed with", async () => {
    const stream = await open("/closed-first");
    resetStream(stream, http2.constants.NGHTTP2_CANCEL);
    stream.close(http2.constants.NGHTTP2_NO_ERROR);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.rstCode).toBe(http2.constants.NGHTTP2_NO_ERROR);
    expect(await serverSaw.get("/closed-first")).toBe(http2.constants.NGHTTP2_NO_ERROR);
  });
});

import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { createAdmissionController } from "./admission-controller.js";
import { installAdmission } from "./install-admission.js";

describe("installAdmission", () => {
  let server: http2.Http2Server | undefined;
  let session: http2.ClientHttp2Session | undefined;
  afterEach(async () => {
    session?.destroy();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  });

  it("frees an admitted call's slot when its status goes out, while its stream is still open", async () => {
    const controller = createAdmissionController({ concurrency: { algorithm: "fixed", limit: 1 }, loadReport: false }, { now: () => performance.now() });
    server = http2.createServer();
    // The handler answers at once without waiting for the request's end, as one that failed early does.
    server.on("stream", (stream) => {
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.end(Buffer.alloc(5));
    });
    installAdmission(server, controller, { isStreaming: () => false });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    // The client never ends its request: the server's side of the stream stays open until it does.
    const statusOf = async (): Promise<{ status: unknown; stream: http2.ClientHttp2Stream }> => {
      const stream = session!.request({ ":method": "POST", ":path": "/a.B/C", "content-type": "application/grpc" }, { endStream: false });
      stream.on("data", () => {});
      const fields = await new Promise<http2.IncomingHttpHeaders>((resolve) => {
        stream.on("response", (h) => h["grpc-status"] !== undefined && resolve(h)); // a shed is Trailers-Only
        stream.on("trailers", resolve);
      });
      return { status: fields["grpc-status"], stream };
    };
    const first = await statusOf();
    expect(first.status).toBe("0");
    expect(first.stream.closed).toBe(false);
    expect(controller.stats()).toMatchObject({ inFlight: 0, admitted: 1, shed: 0 });
    const second = await statusOf(); // admitted: the first call's slot is free, though its stream is not closed
    expect(second.status).toBe("0");
    expect(controller.stats()).toMatchObject({ inFlight: 0, admitted: 2, shed: 0 });
  });

  it("frees a unary gRPC call's slot when its answer's headers go out, before node asks for its trailers, and still sends the load report in them", async () => {
    const controller = createAdmissionController({ concurrency: { algorithm: "fixed", limit: 1 } }, { now: () => performance.now() });
    server = http2.createServer();
    const held: http2.ServerHttp2Stream[] = [];
    // The handler answers with headers and its message but holds the trailers until the test lets them go.
    server.on("stream", (stream) => {
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.write(Buffer.alloc(5));
      held.push(stream);
    });
    installAdmission(server, controller, { isStreaming: () => false });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const call = (): { headers: Promise<http2.IncomingHttpHeaders>; trailers: Promise<http2.IncomingHttpHeaders> } => {
      const stream = session!.request({ ":method": "POST", ":path": "/a.B/C", "content-type": "application/grpc" });
      stream.on("data", () => {});
      return { headers: new Promise((resolve) => stream.once("response", resolve)), trailers: new Promise((resolve) => stream.once("trailers", resolve)) };
    };
    const first = call();
    expect((await first.headers)["grpc-status"]).toBeUndefined(); // not Trailers-Only: trailers still to come
    expect(controller.stats()).toMatchObject({ inFlight: 0, admitted: 1, shed: 0 });
    const second = call();
    expect((await second.headers)["grpc-status"]).toBeUndefined(); // admitted: the first call's slot is free
    expect(controller.stats()).toMatchObject({ inFlight: 0, admitted: 2, shed: 0 });
    for (const stream of held) {
      stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end();
    }
    const trailers = await first.trailers;
    expect(trailers["grpc-status"]).toBe("0");
    expect(trailers["sluice-load"]).toMatch(/qps=/);
    await second.trailers;
  });
});

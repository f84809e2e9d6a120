// The overload bench's anchor (raw node:http2 shedder) on loopback: over its limit a call is answered
// RESOURCE_EXHAUSTED before its body is read (even before it is sent); under it, calls are echoed.
import * as http2 from "node:http2";
import { startServer } from "../../bench/src/contenders/raw-shed-server.js";
import { framedMessage } from "../../bench/src/contenders/raw-stream-wire.js";

interface Outcome {
  readonly status: string | undefined;
  readonly message: string | undefined;
  readonly bytes: Buffer;
}

/** Starts a gRPC Echo call; sends `body` and ends the request, or (undefined) sends headers only and never the body. */
function call(session: http2.ClientHttp2Session, body: Buffer | undefined): Promise<Outcome> {
  const stream = session.request(
    { ":method": "POST", ":path": "/bench.v1.EchoService/Echo", "content-type": "application/grpc+proto", te: "trailers" },
    { endStream: false },
  );
  if (body !== undefined) stream.end(body);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let status: string | undefined;
    let message: string | undefined;
    const note = (fields: http2.IncomingHttpHeaders): void => {
      if (typeof fields["grpc-status"] === "string") status = fields["grpc-status"];
      if (typeof fields["grpc-message"] === "string") message = fields["grpc-message"];
      // A shed answer's status comes in its headers (Trailers-Only): settle then, the body may never be sent.
      if (status === "8") resolve({ status, message, bytes: Buffer.concat(chunks) });
    };
    stream.on("response", note);
    stream.on("trailers", note);
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", reject);
    stream.on("close", () => resolve({ status, message, bytes: Buffer.concat(chunks) }));
  });
}

describe("the overload bench's raw shedder", () => {
  it("sheds calls over its limit with status 8 without reading their body, and echoes the calls under it", async () => {
    // A long service time keeps the 16 admitted calls in their slots while the later calls arrive.
    const server = await startServer({ capacity: 16, serviceMs: 1500 });
    const session = http2.connect(`http://127.0.0.1:${server.ports[0] as number}`);
    try {
      server.mark?.();
      const frame = framedMessage(100);
      const admitted = Array.from({ length: 16 }, () => call(session, frame));
      const bodiless = call(session, undefined); // the 17th: headers only, its body never sent
      const withBody = call(session, frame); // the 18th: over the limit too, body sent
      const first = await Promise.race([bodiless.then(() => "shed"), Promise.race(admitted).then(() => "served")]);
      expect(first).toBe("shed"); // answered while every admitted call still holds its slot
      const shed = await bodiless;
      expect(shed.status).toBe("8");
      expect(shed.message).toBe("over the concurrency limit");
      expect(shed.bytes.length).toBe(0);
      expect((await withBody).status).toBe("8");
      for (const outcome of await Promise.all(admitted)) {
        expect(outcome.status).toBe("0");
        expect(outcome.bytes.equals(frame)).toBe(true);
      }
      // The slots freed when the answers went out: a later call is served.
      const later = await call(session, frame);
      expect(later.status).toBe("0");
      expect(later.bytes.equals(frame)).toBe(true);
      expect(server.gauges?.()).toMatchObject({ limit: 16, shed: 2 });
      // As serve() does, the connection's receive window is opened past node's 64 KiB, so the
      // unread bodies of shed calls do not hold back the client's sends.
      expect(session.state.remoteWindowSize).toBeGreaterThan(1024 * 1024);
    } finally {
      session.close();
      await server.close();
    }
  });
});

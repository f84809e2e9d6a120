// Load generator of the stream scenario's raw ceiling: one node:http2 session with the receive windows
// a Sluice client has; each call moves the bytes of `stream` gRPC echo messages in the call's shape,
// counting bytes (no framing parse).
import * as http2 from "node:http2";
import { clientFlowControlDefaults } from "@sluice/runtime";
import type { CreateCaller } from "../harness/contracts.js";
import { streamCount, streamPayload, streamShape } from "./call-args.js";
import { RAW_HEADERS, framedMessage, writeMessages } from "./raw-stream-wire.js";

/**
 * Connects one HTTP/2 session to the first port (stream calls only; a call resolves with `stream`),
 * with the same stream and connection windows as a Sluice channel's sessions.
 */
export const createCaller: CreateCaller = async (ports) => {
  const flow = clientFlowControlDefaults;
  const session = http2.connect(`http://127.0.0.1:${ports[0]}`, { settings: { initialWindowSize: flow.streamWindowBytes } });
  await new Promise<void>((resolve, reject) => {
    session.once("connect", () => resolve());
    session.once("error", reject);
  });
  session.setLocalWindowSize(flow.connectionWindowBytes);
  const messages = new Map<number, Buffer>();
  return {
    call(args) {
      const count = streamCount(args);
      if (count === 0) return Promise.reject(new Error("the raw stream contender makes stream calls only (call argument `stream` > 0)"));
      const shape = streamShape(args);
      const size = streamPayload(args).length;
      let message = messages.get(size);
      if (message === undefined) messages.set(size, (message = framedMessage(size)));
      const expected = count * message.length;
      const stream = session.request({
        ":method": "POST",
        ":path": "/raw",
        "content-type": "application/grpc",
        [RAW_HEADERS.shape]: shape,
        [RAW_HEADERS.count]: String(count),
        [RAW_HEADERS.bytes]: String(size),
      });
      return new Promise<number>((resolve, reject) => {
        let received = 0;
        let acknowledged = 0;
        stream.on("error", reject);
        stream.on("response", (headers) => (acknowledged = Number(headers["x-received-bytes"] ?? 0)));
        stream.on("end", () => {
          const moved = shape === "client" ? acknowledged : received;
          if (moved === expected) resolve(count);
          else reject(new Error(`raw ${shape} stream moved ${moved} bytes, expected ${expected}`));
        });
        const write = (): Promise<void> => writeMessages(stream, message, count).catch(reject);
        if (shape === "server") {
          stream.on("data", (chunk: Buffer) => (received += chunk.length));
          stream.end();
        } else if (shape === "client") {
          stream.resume();
          void write();
        } else if (shape === "bidi-pipelined") {
          stream.on("data", (chunk: Buffer) => (received += chunk.length));
          void write();
        } else {
          // Ping-pong: the next message goes once the whole previous one came back.
          let sent = 1;
          stream.on("data", (chunk: Buffer) => {
            received += chunk.length;
            if (received === expected) stream.end();
            else if (received === sent * message.length) {
              sent++;
              stream.write(message);
            }
          });
          stream.write(message);
        }
      });
    },
    async close() {
      session.close();
    },
  };
};

// Load generator of the raw ceiling: one node:http2 session (h2c, or TLS trusting the bench CA),
// each call POSTs 100 bytes and reads the echo.
import * as http2 from "node:http2";
import { choiceOption, makePayload, type CreateCaller } from "../harness/contracts.js";
import { streamCount } from "./call-args.js";
import { benchPki } from "./bench-tls.js";

/** The body of every call: 100 bytes, the size of the protobuf echo request. */
const BODY_BYTES = 100;

/** Connects one HTTP/2 session to the first port (unary echo only). Options: `tls` "false" (default) or "true". */
export const createCaller: CreateCaller = async (ports, options) => {
  const tls = choiceOption(options, "tls", ["false", "true"] as const, "false") === "true";
  const session = tls
    ? http2.connect(`https://127.0.0.1:${ports[0]}`, { ca: benchPki().ca })
    : http2.connect(`http://127.0.0.1:${ports[0]}`);
  await new Promise<void>((resolve, reject) => {
    session.once("connect", () => resolve());
    session.once("error", reject);
  });
  const body = Buffer.from(makePayload(BODY_BYTES));
  const headers = { ":method": "POST", ":path": "/echo", "content-type": "application/octet-stream" };
  return {
    call(args) {
      if (streamCount(args) !== 0) return Promise.reject(new Error("the raw http2 contender does unary echo only"));
      return new Promise<number>((resolve, reject) => {
        const stream = session.request(headers);
        let bytes = 0;
        stream.on("data", (chunk: Buffer) => (bytes += chunk.length));
        stream.on("end", () => (bytes === BODY_BYTES ? resolve(1) : reject(new Error(`echo of ${bytes} bytes`))));
        stream.on("error", reject);
        stream.end(body);
      });
    },
    async close() {
      session.close();
    },
  };
};

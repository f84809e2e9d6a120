// Bytes fields decoded on the fast path are plain Uint8Array views, as Connect-ES hands them out:
// a handler's request and a client's response, unary and streaming, over real loopback HTTP/2.
import type { HandlerContext } from "@connectrpc/connect";
import { startEchoLoopback, type EchoLoopback } from "../support/echo-loopback.js";
import type { EchoRequest } from "./gen/fastpath/v1/echo_pb.js";

/** What a bytes value is: a Buffer, or a plain Uint8Array. */
const kindOf = (bytes: Uint8Array): string => (Buffer.isBuffer(bytes) ? "Buffer" : bytes.constructor.name);

describe("bytes fields on the fast path", () => {
  let loopback: EchoLoopback;
  /** The kind of every request payload a handler saw. */
  const seen: string[] = [];

  beforeAll(async () => {
    loopback = await startEchoLoopback({
      echo(request: EchoRequest) {
        seen.push(kindOf(request.payload));
        return { payload: request.payload };
      },
      async *serverStream(request: EchoRequest, _context: HandlerContext) {
        seen.push(kindOf(request.payload));
        for (let index = 0; index < request.count; index++) yield { index, payload: request.payload };
      },
      async *bidi(requests: AsyncIterable<EchoRequest>) {
        for await (const request of requests) {
          seen.push(kindOf(request.payload));
          yield { payload: request.payload };
        }
      },
    });
  });
  afterAll(() => loopback.close());

  const client = () => loopback.client();
  const payload = new Uint8Array([1, 2, 3, 4]);

  it("are plain Uint8Array views with the bytes sent, in unary, server-streaming and bidi calls, on both sides", async () => {
    seen.length = 0;
    const kinds: string[] = [];
    const unary = await client().echo({ payload });
    kinds.push(kindOf(unary.payload));
    expect([...unary.payload]).toEqual([...payload]);
    for await (const response of client().serverStream({ count: 50, payload })) {
      kinds.push(kindOf(response.payload));
      expect([...response.payload]).toEqual([...payload]);
    }
    async function* requests() {
      for (let i = 0; i < 3; i++) yield { payload };
    }
    for await (const response of client().bidi(requests())) kinds.push(kindOf(response.payload));
    expect(new Set(kinds)).toEqual(new Set(["Uint8Array"]));
    expect(kinds).toHaveLength(1 + 50 + 3);
    expect(new Set(seen)).toEqual(new Set(["Uint8Array"]));
    expect(seen).toHaveLength(1 + 1 + 3);
  });
});

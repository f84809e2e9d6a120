// Unit tests of fitDeadlineToTimer: only valid deadlines beyond setTimeout's range are touched.
import type { IncomingHttpHeaders } from "node:http2";
import { fitDeadlineToTimer } from "./long-deadline.js";

describe("fitDeadlineToTimer", () => {
  it.each([
    ["grpc-timeout", "99999999H"],
    ["grpc-timeout", "2592000S"],
    ["connect-timeout-ms", "9999999999"],
  ])("drops %s: %s (beyond 2^31-1 ms)", (name, value) => {
    const headers: IncomingHttpHeaders = { [name]: value, "content-type": "application/grpc" };
    expect(fitDeadlineToTimer(headers, undefined)).toBe("dropped");
    expect(headers).toEqual({ "content-type": "application/grpc" });
  });

  it.each([
    ["grpc-timeout", "2147483S"], // 2,147,483,000 ms: a timer can still wait that long
    ["grpc-timeout", "1m"],
    ["grpc-timeout", "x"], // malformed: the adapter answers INVALID_ARGUMENT
    ["connect-timeout-ms", "2147483647"],
    ["connect-timeout-ms", "abc"],
  ])("keeps %s: %s", (name, value) => {
    const headers: IncomingHttpHeaders = { [name]: value };
    expect(fitDeadlineToTimer(headers, undefined)).toBe("kept");
    expect(headers).toEqual({ [name]: value });
  });

  it("clamps a far deadline over maxTimeoutMs to the longest a timer waits, still over the limit", () => {
    const grpc: IncomingHttpHeaders = { "grpc-timeout": "2592000S" };
    expect(fitDeadlineToTimer(grpc, 60_000)).toBe("clamped");
    expect(grpc).toEqual({ "grpc-timeout": "2147483S" });
    const connect: IncomingHttpHeaders = { "connect-timeout-ms": "9999999999" };
    expect(fitDeadlineToTimer(connect, 60_000)).toBe("clamped");
    expect(connect).toEqual({ "connect-timeout-ms": "2147483647" });
    const under: IncomingHttpHeaders = { "grpc-timeout": "2592000S" };
    expect(fitDeadlineToTimer(under, 3_000_000_000)).toBe("dropped");
  });
});

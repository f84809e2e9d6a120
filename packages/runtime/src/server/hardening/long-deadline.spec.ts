// Unit tests of dropUnarmableDeadline: only valid deadlines beyond setTimeout's range are removed.
import type { IncomingHttpHeaders } from "node:http2";
import { dropUnarmableDeadline } from "./long-deadline.js";

describe("dropUnarmableDeadline", () => {
  it.each([
    ["grpc-timeout", "99999999H"],
    ["grpc-timeout", "2592000S"],
    ["connect-timeout-ms", "9999999999"],
  ])("drops %s: %s (beyond 2^31-1 ms)", (name, value) => {
    const headers: IncomingHttpHeaders = { [name]: value, "content-type": "application/grpc" };
    expect(dropUnarmableDeadline(headers, undefined)).toBe(true);
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
    expect(dropUnarmableDeadline(headers, undefined)).toBe(false);
    expect(headers).toEqual({ [name]: value });
  });

  it("keeps a far deadline over maxTimeoutMs, for the adapter to refuse", () => {
    const headers: IncomingHttpHeaders = { "grpc-timeout": "2592000S" };
    expect(dropUnarmableDeadline(headers, 60_000)).toBe(false);
    expect(dropUnarmableDeadline(headers, 3_000_000_000)).toBe(true);
  });
});

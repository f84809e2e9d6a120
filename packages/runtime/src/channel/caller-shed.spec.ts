import { Code, ConnectError } from "@connectrpc/connect";
import { callerShedError, isShedAtCaller } from "./caller-shed.js";

describe("callerShedError", () => {
  it("is a RESOURCE_EXHAUSTED ConnectError with the message, no metadata and no stack frames", () => {
    const error = callerShedError("every endpoint is at its client-side concurrency limit");
    expect(error).toBeInstanceOf(ConnectError);
    expect([error.code, error.rawMessage]).toEqual([Code.ResourceExhausted, "every endpoint is at its client-side concurrency limit"]);
    expect([...error.metadata.keys()]).toEqual([]);
    expect(error.stack?.split("\n").filter((line) => line.trim().startsWith("at "))).toEqual([]);
    expect(ConnectError.from(error)).toBe(error);
  });

  it("leaves the stack trace limit of other errors as it was", () => {
    const before = Error.stackTraceLimit;
    callerShedError("x");
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error("y").stack).toContain("caller-shed.spec");
  });
});

describe("isShedAtCaller", () => {
  it("tells a caller's shed from a server's RESOURCE_EXHAUSTED and from anything else", () => {
    expect(isShedAtCaller(callerShedError("full"))).toBe(true);
    expect(isShedAtCaller(new ConnectError("concurrency limit reached (server)", Code.ResourceExhausted, { "grpc-retry-pushback-ms": "10" }))).toBe(false);
    expect(isShedAtCaller(new Error("full"))).toBe(false);
    expect(isShedAtCaller(undefined)).toBe(false);
    expect(isShedAtCaller("full")).toBe(false);
  });
});

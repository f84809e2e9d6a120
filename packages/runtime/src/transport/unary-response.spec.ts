import { create } from "@bufbuild/protobuf";
import { Health, HealthCheckResponseSchema } from "../gen/grpc/health/v1/health_pb.js";
import { lazyUnaryResponse, rawResponseValue } from "./unary-response.js";

const check = Health.method.check;
const message = create(HealthCheckResponseSchema, {});

describe("lazyUnaryResponse", () => {
  it("converts header and trailer once, on first read, and returns the same Headers after", () => {
    const raw = { ":status": "200", "x-a": "1" };
    const response = lazyUnaryResponse(check, message, raw, { "grpc-status": "0", "x-b": "2" }, undefined);
    raw["x-a"] = "changed before the first read";
    const header = response.header;
    expect(header.get("x-a")).toBe("changed before the first read");
    expect([...header.keys()]).toEqual(["x-a"]);
    expect(response.header).toBe(header);
    expect(response.trailer.get("x-b")).toBe("2");
    expect(response.trailer).toBe(response.trailer);
  });

  it("keeps header and trailer in a spread copy, as Connect's own responses do", () => {
    const response = lazyUnaryResponse(check, message, { ":status": "200", "x-a": "1" }, { "x-b": "2" }, undefined);
    const copy = { ...response };
    expect(Object.keys(copy)).toEqual(["stream", "service", "method", "message", "header", "trailer"]);
    expect(copy.header.get("x-a")).toBe("1");
    expect(copy.trailer.get("x-b")).toBe("2");
    expect(copy.message).toBe(message);
    expect(rawResponseValue(copy, "trailer", "x-b")).toBe("2");
  });

  it("splits Connect unary trailers out of the trailer- headers", () => {
    const response = lazyUnaryResponse(check, message, { ":status": "200", "x-a": "1", "trailer-x-b": "2" }, undefined, "trailer-");
    expect([...response.header]).toEqual([["x-a", "1"]]);
    expect([...response.trailer]).toEqual([["x-b", "2"]]);
  });

  it("gives each response its own headers", () => {
    const one = lazyUnaryResponse(check, message, { "x-a": "1" }, undefined, undefined);
    const two = lazyUnaryResponse(check, message, { "x-a": "2" }, undefined, undefined);
    expect([one.header.get("x-a"), two.header.get("x-a")]).toEqual(["1", "2"]);
    expect(rawResponseValue({}, "header", "x-a")).toBeUndefined();
  });
});

import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { Health, HealthCheckResponseSchema } from "../gen/grpc/health/v1/health_pb.js";
import { lazyUnaryResponse } from "../transport/unary-response.js";
import { callOutcome, metadataValue } from "./call-outcome.js";

const check = Health.method.check;
const message = create(HealthCheckResponseSchema, {});

/** A fast-path response, and a view of it that counts reads of its header and trailer. */
function counted(header: Record<string, string | string[]>, trailer: Record<string, string> | undefined, split?: "trailer-") {
  const response = lazyUnaryResponse(check, message, { ":status": "200", ...header }, trailer, split);
  const reads = { header: 0, trailer: 0 };
  const seen = {
    get header() {
      reads.header++;
      return response.header;
    },
    get trailer() {
      reads.trailer++;
      return response.trailer;
    },
  };
  return { response, seen, reads };
}

describe("callOutcome", () => {
  it("reads the response's header and trailer only when an observer does", () => {
    const { seen, reads } = counted({ "x-a": "1" }, { "grpc-status": "0", "x-b": "2" });
    const outcome = callOutcome(undefined, 5, false, seen);
    expect(reads).toEqual({ header: 0, trailer: 0 });
    expect(outcome.header?.get("x-a")).toBe("1");
    expect(outcome.trailer?.get("x-b")).toBe("2");
    expect(reads).toEqual({ header: 1, trailer: 1 });
    expect(outcome).toMatchObject({ error: undefined, endedAt: 5, canceledByCaller: false });
  });

  it("has no header or trailer without a response", () => {
    const error = new ConnectError("gone", Code.Unavailable);
    expect(callOutcome(error, 1, true, undefined)).toEqual({ error, endedAt: 1, canceledByCaller: true, header: undefined, trailer: undefined });
  });
});

describe("metadataValue", () => {
  it("finds a fast-path gRPC response's value in the trailer, then the header, without building Headers", () => {
    const { response, seen, reads } = counted({ "x-h": "header", "x-both": "from-header" }, { "x-both": "from-trailer", "x-t": "t" });
    // A view of the response (not the fast path's own object) has no raw access: Headers are read.
    expect(metadataValue(callOutcome(undefined, 0, false, seen), "x-both")).toBe("from-trailer");
    expect(reads.trailer).toBe(1);

    const direct = callOutcome(undefined, 0, false, response);
    const before = { ...reads };
    expect(metadataValue(direct, "x-both")).toBe("from-trailer");
    expect(metadataValue(direct, "x-h")).toBe("header");
    expect(metadataValue(direct, "x-t")).toBe("t");
    expect(metadataValue(direct, "x-none")).toBeUndefined();
    expect(reads).toEqual(before);
  });

  it("joins repeated values as Headers.get does", () => {
    const { response } = counted({ "x-r": ["a", "b"] }, undefined);
    expect(metadataValue(callOutcome(undefined, 0, false, response), "x-r")).toBe(response.header.get("x-r"));
  });

  it("reads Connect unary trailers from the trailer- headers, and never takes them for headers", () => {
    const { response } = counted({ "trailer-x-t": "t", "x-h": "h" }, undefined, "trailer-");
    const outcome = callOutcome(undefined, 0, false, response);
    expect(metadataValue(outcome, "x-t")).toBe("t");
    expect(metadataValue(outcome, "x-h")).toBe("h");
    expect(metadataValue(outcome, "trailer-x-t")).toBeUndefined();
    expect(response.trailer.get("x-t")).toBe("t");
  });

  it("looks in the error's metadata between trailer and header", () => {
    const { response } = counted({ "x-m": "header" }, { "grpc-status": "0" });
    const error = new ConnectError("no", Code.Internal, { "x-m": "error" });
    expect(metadataValue(callOutcome(error, 0, false, response), "x-m")).toBe("error");
  });

  it("reads plain Headers of other transports' responses", () => {
    const header = new Headers({ "x-h": "h" });
    const trailer = new Headers({ "x-t": "t" });
    const outcome = callOutcome(undefined, 0, false, { header, trailer });
    expect(metadataValue(outcome, "x-t")).toBe("t");
    expect(metadataValue(outcome, "x-h")).toBe("h");
    expect(metadataValue(callOutcome(new ConnectError("x", Code.Unknown, { "x-e": "e" }), 0, false, undefined), "x-e")).toBe("e");
  });
});

import { isGrpcContentType } from "./http1-guard.js";

describe("isGrpcContentType", () => {
  it("is true for gRPC with any codec", () => {
    for (const t of ["application/grpc", "application/grpc+proto", "application/grpc+json", "Application/GRPC", "application/grpc; charset=utf-8"]) {
      expect(isGrpcContentType(t)).toBe(true);
    }
  });
  it("is false for gRPC-Web, Connect, other types and no type", () => {
    for (const t of ["application/grpc-web", "application/grpc-web+proto", "application/grpc-web-text", "application/json", "application/proto", "application/grpcx", undefined]) {
      expect(isGrpcContentType(t)).toBe(false);
    }
  });
});

import { createConnectRouter } from "@connectrpc/connect";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { createRecordingRouter, type FastMethodTable } from "./method-table.js";
import { encodeGrpcMessage } from "./responses.js";

describe("createRecordingRouter", () => {
  it("registers on the real router and records implemented methods registered without options", () => {
    const real = createConnectRouter();
    const table: FastMethodTable = new Map();
    const router = createRecordingRouter(real, table);
    const impl = { check: () => ({ status: 1 }) };
    router.service(Health, impl);
    expect(real.handlers.map((h) => h.method.name).sort()).toEqual(["Check", "Watch"]);
    expect([...table.keys()]).toEqual(["/grpc.health.v1.Health/Check"]);
    expect(router.handlers).toBe(real.handlers);
  });

  it("leaves registrations with options to Connect's adapter", () => {
    const table: FastMethodTable = new Map();
    const router = createRecordingRouter(createConnectRouter(), table);
    router.service(Health, { check: () => ({ status: 1 }) }, { readMaxBytes: 10 });
    router.rpc(Health.method.watch, async function* () {}, { interceptors: [] });
    expect(table.size).toBe(0);
    router.rpc(Health.method.check, () => ({ status: 2 }));
    expect([...table.keys()]).toEqual(["/grpc.health.v1.Health/Check"]);
  });
});

describe("encodeGrpcMessage", () => {
  it("percent-encodes only non-printable bytes and %", () => {
    expect(encodeGrpcMessage('no item with sku "x": 5')).toBe('no item with sku "x": 5');
    expect(encodeGrpcMessage("100% ok")).toBe("100%25 ok");
    expect(encodeGrpcMessage("naïve\n")).toBe("na%C3%AFve%0A");
  });
});

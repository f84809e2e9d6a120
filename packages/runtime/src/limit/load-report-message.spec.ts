import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { StreamLoadReportsResponseSchema } from "../gen/sluice/v1/load_report_pb.js";
import { fromLoadReportMessage, toLoadReportMessage } from "./load-report-message.js";

/**
 * ORCA's own OrcaLoadReport, parsed by protobufjs from the .proto grpc-js ships; its validation
 * options (and their import) are dropped: they do not change the wire format.
 */
function orcaLoadReport(): { decode(bytes: Uint8Array): Record<string, unknown> } {
  const require = createRequire(path.join(process.cwd(), "package.json"));
  const file = path.join(path.dirname(require.resolve("@grpc/grpc-js/package.json")), "proto/xds/xds/data/orca/v3/orca_load_report.proto");
  const text = fs
    .readFileSync(file, "utf8")
    .replace(/import "validate\/validate.proto";/, "")
    .replace(/\[\s*\(validate\.rules\)[^\]]*\]/g, "");
  const protobuf = require("protobufjs") as {
    parse(source: string): { root: { lookupType(name: string): { decode(bytes: Uint8Array): { toJSON(): Record<string, unknown> } } } };
  };
  const type = protobuf.parse(text).root.lookupType("xds.data.orca.v3.OrcaLoadReport");
  return { decode: (bytes) => type.decode(bytes).toJSON() };
}

describe("load report messages", () => {
  it("carry every figure of a report and back", () => {
    const report = { util: 0.42, cpu: 0.3, qps: 1200, eps: 1.5, latMs: 3.2 };
    expect(fromLoadReportMessage(toLoadReportMessage(report))).toEqual(report);
    expect(fromLoadReportMessage(fromBinary(StreamLoadReportsResponseSchema, toBinary(StreamLoadReportsResponseSchema, toLoadReportMessage(report))))).toEqual(report);
  });

  it("leave out a utilization or CPU figure of 0, as ORCA means it, and refuse a negative figure", () => {
    expect(fromLoadReportMessage(toLoadReportMessage({ qps: 10, eps: 0 }))).toEqual({ qps: 10, eps: 0 });
    const bad = toLoadReportMessage({ qps: 10, eps: 0 });
    bad.rpsFractional = -1;
    expect(fromLoadReportMessage(bad)).toBeUndefined();
  });

  it("decode as ORCA's OrcaLoadReport: the same field numbers and types", () => {
    const bytes = toBinary(StreamLoadReportsResponseSchema, toLoadReportMessage({ util: 0.42, cpu: 0.3, qps: 1200, eps: 1.5, latMs: 3.2 }));
    expect(orcaLoadReport().decode(bytes)).toEqual({
      applicationUtilization: 0.42,
      cpuUtilization: 0.3,
      rpsFractional: 1200,
      eps: 1.5,
      namedMetrics: { lat_ms: 3.2 },
    });
  });
});

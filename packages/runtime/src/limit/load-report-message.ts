// A load report as the out-of-band stream's message (sluice.v1.StreamLoadReportsResponse, laid out
// as ORCA's OrcaLoadReport) and back: util ↔ application_utilization, cpu ↔ cpu_utilization,
// qps ↔ rps_fractional, eps ↔ eps, latMs ↔ named_metrics["lat_ms"].
import { create } from "@bufbuild/protobuf";
import { StreamLoadReportsResponseSchema, type StreamLoadReportsResponse } from "../gen/sluice/v1/load_report_pb.js";
import type { LoadReport } from "./load-report.js";

/** The `named_metrics` key of the handler-latency EWMA. */
const latencyMetric = "lat_ms";

const finiteOrZero = (v: number | undefined): number => (v !== undefined && Number.isFinite(v) && v >= 0 ? v : 0);

/**
 * The message of one report (ORCA leaves a field at 0 when it has no figure, so absent ones are 0).
 * @example
 * toLoadReportMessage({ util: 0.5, qps: 100, eps: 0 }).applicationUtilization; // 0.5
 */
export function toLoadReportMessage(report: LoadReport): StreamLoadReportsResponse {
  return create(StreamLoadReportsResponseSchema, {
    applicationUtilization: finiteOrZero(report.util),
    cpuUtilization: finiteOrZero(report.cpu),
    rpsFractional: finiteOrZero(report.qps),
    eps: finiteOrZero(report.eps),
    namedMetrics: report.latMs !== undefined && Number.isFinite(report.latMs) ? { [latencyMetric]: report.latMs } : {},
  });
}

/**
 * The report a message carries; a zero utilization or CPU figure is taken as absent (ORCA's
 * convention), and a negative or non-finite figure makes the whole message unusable (undefined).
 * @example
 * fromLoadReportMessage(toLoadReportMessage({ util: 0.5, qps: 100, eps: 0 })); // { util: 0.5, qps: 100, eps: 0 }
 */
export function fromLoadReportMessage(message: StreamLoadReportsResponse): LoadReport | undefined {
  const latMs = message.namedMetrics[latencyMetric];
  const figures = [message.applicationUtilization, message.cpuUtilization, message.rpsFractional, message.eps, latMs ?? 0];
  if (figures.some((v) => !Number.isFinite(v) || v < 0)) return undefined;
  return {
    ...(message.applicationUtilization > 0 ? { util: message.applicationUtilization } : {}),
    ...(message.cpuUtilization > 0 ? { cpu: message.cpuUtilization } : {}),
    qps: message.rpsFractional,
    eps: message.eps,
    ...(latMs !== undefined ? { latMs } : {}),
  };
}

// The text form of a load report, `sluice-load: util=0.42,cpu=0.3,qps=1200,eps=1.5,lat_ms=3.2`,
// written by the server into its trailers and read back by clients.
import type { LoadReport } from "./load-report.js";

/** Name of the trailer (gRPC) / `trailer-` header (Connect unary) carrying the load report. */
export const loadReportHeader = "sluice-load";

const fields = [
  ["util", "util"],
  ["cpu", "cpu"],
  ["qps", "qps"],
  ["eps", "eps"],
  ["lat_ms", "latMs"],
] as const;

function formatNumber(value: number): string {
  // An integer under 10^4 has at most four digits: it is its own rounding (qps and eps mostly are).
  if (Number.isInteger(value) && value < 10_000 && value > -10_000) return String(value);
  // Four significant digits, without trailing zeros: small, and a utilization far below 1 (a
  // limit far above the load) stays above 0, so weights still follow it (0.000123, not 0).
  return String(Number(value.toPrecision(4)));
}

/** The last value formatted per field and its text: a server formats a report per response, and CPU (per window) or latency often repeat. */
const lastValues = new Float64Array(fields.length).fill(Number.NaN);
const lastTexts: string[] = fields.map(() => "");

/**
 * Formats a report as comma-separated `key=value` pairs in a fixed order, omitting absent fields.
 * @example
 * formatLoadReport({ util: 0.42, qps: 1200, eps: 1.5, latMs: 3.2 }); // "util=0.42,qps=1200,eps=1.5,lat_ms=3.2"
 */
export function formatLoadReport(report: LoadReport): string {
  let text = "";
  for (let i = 0; i < fields.length; i++) {
    const value = report[fields[i]![1]];
    if (value === undefined || !Number.isFinite(value)) continue;
    if (value !== lastValues[i]) {
      lastValues[i] = value;
      lastTexts[i] = `${fields[i]![0]}=${formatNumber(value)}`;
    }
    text = text === "" ? lastTexts[i]! : `${text},${lastTexts[i]!}`;
  }
  return text;
}

/**
 * Parses a `sluice-load` value. Unknown keys are skipped (newer servers may add some); returns
 * undefined when the value is malformed (a pair without `=`, a known key whose value is not a
 * finite number >= 0) or lacks `qps` or `eps`.
 * @example
 * parseLoadReport("util=0.5,qps=100,eps=0"); // { util: 0.5, qps: 100, eps: 0 }
 */
export function parseLoadReport(text: string | null | undefined): LoadReport | undefined {
  if (typeof text !== "string" || text.length === 0) return undefined;
  const out: { -readonly [K in keyof LoadReport]?: number } = {};
  for (const pair of text.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) return undefined;
    const key = pair.slice(0, eq).trim();
    const field = fields.find(([k]) => k === key);
    if (field === undefined) continue;
    const raw = pair.slice(eq + 1).trim();
    const value = raw === "" ? Number.NaN : Number(raw);
    if (!Number.isFinite(value) || value < 0) return undefined;
    out[field[1]] = value;
  }
  if (out.qps === undefined || out.eps === undefined) return undefined;
  return out as LoadReport;
}

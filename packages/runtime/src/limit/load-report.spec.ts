import { createLoadReporter } from "./load-report.js";
import { formatLoadReport, parseLoadReport } from "./load-report-format.js";

describe("createLoadReporter", () => {
  let time = 0;
  let cpuUs = 0;
  const now = () => time;
  const cpuUsage = () => ({ user: cpuUs, system: 0 });
  beforeEach(() => {
    time = 0;
    cpuUs = 0;
  });

  it("reports calls and errors per second over the window", () => {
    const reporter = createLoadReporter({ now });
    for (let i = 0; i < 30; i++) reporter.onCallEnd(2, i % 10 === 0);
    expect(reporter.report()).toEqual({ qps: 30, eps: 3, latMs: expect.any(Number) });
    time = 1500; // the calls have left the 1 s window
    expect(reporter.report()).toMatchObject({ qps: 0, eps: 0 });
  });

  it("keeps an EWMA of the handler latency", () => {
    const reporter = createLoadReporter({ now, latencyWeight: 0.5 });
    expect(reporter.report().latMs).toBeUndefined();
    reporter.onCallEnd(10, false);
    reporter.onCallEnd(20, false);
    expect(reporter.report().latMs).toBe(15);
  });

  it("gives the latency EWMA alone, as the report would", () => {
    const reporter = createLoadReporter({ now, latencyWeight: 0.5 });
    expect(reporter.latencyMs()).toBeUndefined();
    reporter.onCallEnd(10, false);
    reporter.onCallEnd(30, false);
    expect(reporter.latencyMs()).toBe(20);
    expect(reporter.latencyMs()).toBe(reporter.report().latMs);
  });

  it("reports CPU time over wall time once a window has passed, and the utilization given", () => {
    const reporter = createLoadReporter({ now, cpuUsage });
    expect(reporter.report(0.5)).toEqual({ util: 0.5, qps: 0, eps: 0 });
    time = 1000;
    cpuUs = 300_000;
    expect(reporter.report().cpu).toBeCloseTo(0.3, 12);
  });

  it("rejects bad settings naming the field", () => {
    expect(() => createLoadReporter({ now, latencyWeight: 2 })).toThrow("loadReport.latencyWeight: must be a number > 0 and <= 1, got 2");
  });
});

describe("load report text", () => {
  it("formats in a fixed order with four significant digits, omitting absent fields", () => {
    expect(formatLoadReport({ util: 0.42194, cpu: 0.3, qps: 1200, eps: 1.5, latMs: 3.2 })).toBe("util=0.4219,cpu=0.3,qps=1200,eps=1.5,lat_ms=3.2");
    expect(formatLoadReport({ qps: 0, eps: 0 })).toBe("qps=0,eps=0");
  });

  it("keeps a utilization far below 1 above 0 (four significant digits), and parses it back", () => {
    const text = formatLoadReport({ util: 0.000123456, qps: 123456, eps: 0 });
    expect(text).toBe("util=0.0001235,qps=123500,eps=0");
    expect(parseLoadReport(text)?.util).toBeCloseTo(0.0001235, 10);
  });

  it("formats each report afresh when fields change between reports (the per-field memo never serves a stale value)", () => {
    const reports = [
      { util: 0.5, cpu: 0.25, qps: 9999, eps: 0, latMs: 10 },
      { util: 0.5, cpu: 0.25, qps: 10001, eps: -0, latMs: 10.00001 },
      { qps: 7, eps: 1 },
      { util: 0.5, cpu: 0.3, qps: 9999, eps: 0, latMs: 10 },
    ];
    const texts = reports.map(formatLoadReport);
    expect(texts).toEqual(["util=0.5,cpu=0.25,qps=9999,eps=0,lat_ms=10", "util=0.5,cpu=0.25,qps=10000,eps=0,lat_ms=10", "qps=7,eps=1", "util=0.5,cpu=0.3,qps=9999,eps=0,lat_ms=10"]);
  });

  it("parses what it formats, skipping unknown keys", () => {
    expect(parseLoadReport("util=0.42,cpu=0.3,qps=1200,eps=1.5,lat_ms=3.2,mem=0.9")).toEqual({ util: 0.42, cpu: 0.3, qps: 1200, eps: 1.5, latMs: 3.2 });
  });

  it("refuses malformed values", () => {
    for (const bad of [undefined, "", "qps=1", "qps=x,eps=0", "qps=-1,eps=0", "qps=1,eps=0,util", "qps=1,eps=,util=1"]) {
      expect(parseLoadReport(bad)).toBeUndefined();
    }
  });
});

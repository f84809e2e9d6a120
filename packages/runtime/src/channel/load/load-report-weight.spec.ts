import { createLoadReportWeight, reportWeight } from "./load-report-weight.js";
import { createEdfScheduler, schedulingWeights } from "./edf-scheduler.js";

describe("reportWeight", () => {
  it("is qps ÷ (utilization + eps/qps × penalty), utilization falling back to cpu", () => {
    expect(reportWeight({ util: 0.5, qps: 100, eps: 10 }, 1)).toBeCloseTo(100 / 0.6, 12);
    expect(reportWeight({ util: 0.5, qps: 100, eps: 10 }, 2)).toBeCloseTo(100 / 0.7, 12);
    expect(reportWeight({ cpu: 0.25, qps: 100, eps: 0 }, 1)).toBe(400);
    expect(reportWeight({ util: 0, cpu: 0.5, qps: 100, eps: 0 }, 1)).toBe(200);
  });

  it("is 0 when nothing usable is reported", () => {
    expect(reportWeight({ util: 0.5, qps: 0, eps: 0 }, 1)).toBe(0);
    expect(reportWeight({ qps: 10, eps: 0 }, 1)).toBe(0);
  });
});

describe("createLoadReportWeight", () => {
  it("holds the weight back for the 10 s blackout, then uses the latest report", () => {
    const w = createLoadReportWeight();
    expect(w.weight(0)).toBe(0);
    w.onReport({ util: 0.5, qps: 100, eps: 0 }, 0);
    expect(w.weight(9_999)).toBe(0);
    w.onReport({ util: 0.25, qps: 100, eps: 0 }, 9_000);
    expect(w.weight(10_000)).toBe(400);
  });

  it("drops a weight after 3 minutes without a report, and the blackout starts over", () => {
    const w = createLoadReportWeight();
    w.onReport({ util: 0.5, qps: 100, eps: 0 }, 0);
    expect(w.weight(179_999)).toBe(200);
    expect(w.weight(180_000)).toBe(0);
    w.onReport({ util: 0.5, qps: 100, eps: 0 }, 200_000);
    expect(w.weight(205_000)).toBe(0);
    expect(w.weight(210_000)).toBe(200);
  });

  it("ignores reports with no usable weight", () => {
    const w = createLoadReportWeight({ blackoutMs: 0 });
    w.onReport({ util: 0.5, qps: 100, eps: 0 }, 0);
    w.onReport({ util: 0.5, qps: 0, eps: 0 }, 1);
    expect(w.weight(2)).toBe(200);
  });

  it("rejects bad settings naming the field", () => {
    expect(() => createLoadReportWeight({ blackoutMs: -1 })).toThrow("blackoutMs: must be a finite number >= 0 (milliseconds), got -1");
    expect(() => createLoadReportWeight({ errorUtilizationPenalty: Number.NaN })).toThrow("errorUtilizationPenalty");
  });
});

describe("EDF scheduling", () => {
  it("gives endpoints without a weight the mean, and round robin when fewer than two report", () => {
    expect(schedulingWeights([0, 10, 30])).toEqual([20, 10, 30]);
    expect(schedulingWeights([0, 10, 0])).toEqual([1, 1, 1]);
  });

  it("picks in proportion to the weights, spread out", () => {
    const edf = createEdfScheduler([1, 2], () => 0);
    expect(Array.from({ length: 6 }, () => edf.next())).toEqual([0, 1, 1, 0, 1, 1]);
    const big = createEdfScheduler([1, 3, 6], Math.random);
    const counts = [0, 0, 0];
    for (let i = 0; i < 10_000; i++) counts[big.next()!]!++;
    expect(counts.map((c) => Math.round(c / 100))).toEqual([10, 30, 60]);
  });

  it("refuses weights that are not finite and > 0", () => {
    expect(() => createEdfScheduler([1, 0])).toThrow("weights: each must be a finite number > 0, got 0");
    expect(createEdfScheduler([]).next()).toBeUndefined();
  });
});

// The bench harness's interleaved measurement: the order of the slices, a contender's slices of a
// point added up into one sample, and goals taking subject/anchor run by run.
import { createLatencyHistogram, decodeHistogram, encodeHistogram, percentiles, recordLatency } from "../../bench/src/harness/histogram.js";
import { mergeSliceReports, mergeSliceResults, sliceCount, sliceCycle, sliceOrder } from "../../bench/src/harness/slices.js";
import { pairedMessagesRatio } from "../../bench/src/harness/stats.js";
import type { Figure, PhaseResult, ServerReport } from "../../bench/src/harness/scenario.js";

function histogramOf(us: readonly number[]): string {
  const h = createLatencyHistogram();
  for (const v of us) recordLatency(h, v);
  return encodeHistogram(h);
}

function slice(calls: number, messages: number, elapsedMs: number, rss: number, latencyUs: number): PhaseResult {
  return {
    calls,
    messages,
    elapsedMs,
    histogram: histogramOf(Array.from({ length: calls }, () => latencyUs)),
    resources: { cpu: { userUs: elapsedMs * 100, systemUs: elapsedMs * 10 }, peakRssBytes: rss },
  };
}

describe("mergeSliceResults", () => {
  it("adds up calls, messages, time and CPU, keeps the largest RSS and merges the latencies", () => {
    const merged = mergeSliceResults([slice(2, 1000, 500, 100, 1000), slice(3, 3000, 500, 300, 5000), slice(1, 2000, 1000, 200, 9000)]);
    expect(merged).toMatchObject({
      calls: 6,
      messages: 6000,
      elapsedMs: 2000,
      resources: { cpu: { userUs: 200_000, systemUs: 20_000 }, peakRssBytes: 300 },
    });
    const h = decodeHistogram(merged.histogram);
    expect(h.totalCount).toBe(6);
    expect(percentiles(h).p50).toBeGreaterThanOrEqual(4900);
    expect(percentiles(h).p50).toBeLessThanOrEqual(5100);
  });

  it("refuses open-loop phases, whose counts cannot be added as closed-loop ones", () => {
    const open: PhaseResult = { ...slice(1, 1, 1, 1, 1), openLoop: { offered: 1, rejected: 0, failed: 0, rejectHistogram: histogramOf([]) } };
    expect(() => mergeSliceResults([open, open])).toThrow(/open-loop/);
  });
});

describe("mergeSliceReports", () => {
  it("adds up the server's CPU and counters but keeps the largest RSS, not their sum", () => {
    const a: ServerReport = { cpu: { userUs: 100, systemUs: 10 }, peakRssBytes: 1000, counters: { calls: { ok: 2 } } };
    const b: ServerReport = { cpu: { userUs: 50, systemUs: 5 }, peakRssBytes: 1500, counters: { calls: { ok: 3 } }, gauges: { limit: 4 } };
    expect(mergeSliceReports([a, b])).toEqual({
      cpu: { userUs: 150, systemUs: 15 },
      peakRssBytes: 1500,
      counters: { calls: { ok: 5 } },
      gauges: { limit: 4 },
    });
  });
});

describe("pairedMessagesRatio", () => {
  const figure = (messagesPerSec: number, runs?: Array<[number, number]>): Figure =>
    ({ messagesPerSec, ...(runs === undefined ? {} : { runMessagesPerSec: runs }) }) as unknown as Figure;

  it("takes the median of the ratios within each run, not the ratio of the medians", () => {
    // Run 2 was slow for both: per run the subject is 0.9×, 1.0× and 1.1× the anchor.
    const anchor = figure(100, [[1, 100], [2, 50], [3, 200]]);
    const subject = figure(99, [[1, 90], [2, 50], [3, 220]]);
    expect(pairedMessagesRatio(subject, anchor)).toBeCloseTo(1.0, 10);
    // The ratio of the medians (90 vs 100) would say 0.9×.
  });

  it("pairs runs by their number and leaves out a run only one of them has", () => {
    const anchor = figure(100, [[1, 100], [3, 100]]);
    const subject = figure(80, [[1, 80], [2, 10]]);
    expect(pairedMessagesRatio(subject, anchor)).toBeCloseTo(0.8, 10);
  });

  it("falls back to the ratio of the medians for results saved without runs", () => {
    expect(pairedMessagesRatio(figure(90), figure(100))).toBeCloseTo(0.9, 10);
    expect(pairedMessagesRatio(undefined, figure(100))).toBeUndefined();
  });
});

describe("sliceOrder", () => {
  it("gives every order of three contenders once in six slices, then starts again", () => {
    const orders = Array.from({ length: 6 }, (_, i) => sliceOrder(3, i).join(""));
    expect([...orders].sort()).toEqual(["012", "021", "102", "120", "201", "210"]);
    expect(sliceOrder(3, 6)).toEqual(sliceOrder(3, 0));
  });

  it.each([2, 3, 4, 5, 6])("puts each of %i contenders in each position and after each other one equally often over a cycle", (n) => {
    const cycle = sliceCycle(n);
    expect(cycle).toHaveLength(n % 2 === 0 ? n : 2 * n);
    const follows = new Map<string, number>();
    const positions = new Map<string, number>();
    for (const order of cycle) {
      expect([...order].sort()).toEqual(Array.from({ length: n }, (_, k) => k));
      order.forEach((c, p) => positions.set(`${c}@${p}`, (positions.get(`${c}@${p}`) ?? 0) + 1));
      for (let k = 1; k < order.length; k++) follows.set(`${order[k - 1]}→${order[k]}`, (follows.get(`${order[k - 1]}→${order[k]}`) ?? 0) + 1);
    }
    expect(positions.size).toBe(n * n);
    expect(new Set(positions.values())).toEqual(new Set([cycle.length / n]));
    expect(follows.size).toBe(n * (n - 1));
    expect(new Set(follows.values())).toEqual(new Set([cycle.length / n]));
  });

  it("alternates two contenders and leaves one alone", () => {
    expect([0, 1, 2, 3].map((i) => sliceOrder(2, i))).toEqual([[0, 1], [1, 0], [0, 1], [1, 0]]);
    expect(sliceOrder(1, 5)).toEqual([0]);
  });

  it("rounds the slices up to whole cycles", () => {
    expect(sliceCount(3, 6)).toBe(6);
    expect(sliceCount(3, 3)).toBe(6);
    expect(sliceCount(4, 6)).toBe(8);
    expect(sliceCount(2, 3)).toBe(4);
    expect(sliceCount(1, 3)).toBe(3);
  });

  it("rejects a count of contenders or slices that is not a positive integer, naming it", () => {
    expect(() => sliceOrder(0, 0)).toThrow(/n must be a positive integer, got 0/);
    expect(() => sliceCount(3, 0)).toThrow(/wanted must be a positive integer, got 0/);
  });
});

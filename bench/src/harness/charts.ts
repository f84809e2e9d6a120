// SVG charts of a scenario's results, specified in vega-lite and rendered headless by vega.
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { ScenarioKind, ScenarioResults } from "./scenario.js";
import { seriesOfRuns } from "./stats.js";

/** A rendered chart: file name (no directory) and SVG text. */
export interface Chart {
  readonly file: string;
  readonly title: string;
  readonly svg: string;
}

async function render(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function labelOf(results: ScenarioResults, id: string): string {
  const c = results.contenders.find((x) => x.id === id);
  return c ? `(${c.id}) ${c.label}` : id;
}

/** Throughput bars (req/s or msgs/s) grouped by point, one colour per contender. */
async function throughputChart(results: ScenarioResults, kind: ScenarioKind): Promise<Chart> {
  const metric = kind === "stream" ? "msgs/s" : kind === "overload" ? "goodput (ok calls/s)" : "req/s";
  const order = results.points.map((p) => p.label);
  const values = results.figures.map((f) => ({
    point: results.points.find((p) => p.id === f.point)?.label ?? f.point,
    contender: labelOf(results, f.contender),
    value: Math.round(kind === "stream" ? f.messagesPerSec : f.callsPerSec),
  }));
  const title = `${results.scenario}: ${metric} (median of ${results.environment.runs} run${results.environment.runs === 1 ? "" : "s"})`;
  const svg = await render({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 520,
    height: 260,
    data: { values },
    mark: { type: "bar", tooltip: true },
    encoding: {
      x: { field: "point", type: "nominal", sort: order, title: null, axis: { labelAngle: 0 } },
      xOffset: { field: "contender", type: "nominal" },
      // Stream points span 16 B to 64 KiB messages (and a ceiling), so msgs/s spans decades: log scale.
      y: kind === "stream" ? { field: "value", type: "quantitative", title: `${metric} (log scale)`, scale: { type: "log" } } : { field: "value", type: "quantitative", title: metric },
      color: { field: "contender", type: "nominal", title: "contender", legend: { orient: "bottom", columns: 2, labelLimit: 300 } },
    },
  });
  return { file: `${results.scenario}-throughput.svg`, title, svg };
}

/** Latency CDF at one point, one line per contender, log-scaled latency axis. */
async function cdfChart(results: ScenarioResults, pointId: string): Promise<Chart> {
  const point = results.points.find((p) => p.id === pointId)?.label ?? pointId;
  const values = results.figures
    .filter((f) => f.point === pointId)
    .flatMap((f) => f.cdf.map(([us, fraction]) => ({ contender: labelOf(results, f.contender), ms: Math.max(0.001, us / 1000), fraction })));
  const title = `${results.scenario}: latency CDF, ${point} (all runs merged)`;
  const svg = await render({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 520,
    height: 300,
    data: { values },
    mark: { type: "line", interpolate: "step-after" },
    encoding: {
      x: { field: "ms", type: "quantitative", scale: { type: "log" }, title: "latency (ms, log scale)" },
      y: { field: "fraction", type: "quantitative", title: "fraction of calls ≤ latency", scale: { domain: [0, 1] } },
      color: { field: "contender", type: "nominal", title: "contender", legend: { orient: "bottom", columns: 2, labelLimit: 300 } },
    },
  });
  return { file: `${results.scenario}-latency-cdf-${pointId}.svg`, title, svg };
}

/** Peak RSS bars of client and server per contender (the stream scenario's memory story). */
async function rssChart(results: ScenarioResults): Promise<Chart> {
  const values = results.figures.flatMap((f) => [
    { contender: labelOf(results, f.contender), process: "client", mb: f.clientPeakRssBytes / 2 ** 20 },
    { contender: labelOf(results, f.contender), process: "server", mb: f.serverPeakRssBytes / 2 ** 20 },
  ]);
  const title = `${results.scenario}: peak RSS (MiB)`;
  const svg = await render({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 420,
    height: 240,
    data: { values },
    mark: { type: "bar", tooltip: true },
    encoding: {
      x: { field: "contender", type: "nominal", title: null, axis: { labelAngle: 0, labelLimit: 160 } },
      xOffset: { field: "process", type: "nominal" },
      y: { field: "mb", type: "quantitative", title: "MiB" },
      color: { field: "process", type: "nominal", title: "process" },
    },
  });
  return { file: `${results.scenario}-rss.svg`, title, svg };
}

/** Bars of the share of calls that reached the slow backend while it was slow, per point and contender. */
async function slowShareChart(results: ScenarioResults): Promise<Chart> {
  const order = results.points.map((p) => p.label);
  const values = results.figures.flatMap((f) => {
    const share = f.counterShares?.whileSlow?.slow;
    return share === undefined ? [] : [{ point: results.points.find((p) => p.id === f.point)?.label ?? f.point, contender: labelOf(results, f.contender), percent: share * 100 }];
  });
  const title = `${results.scenario}: % of calls sent to the slow backend while it was slow`;
  const svg = await render({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 520,
    height: 260,
    data: { values },
    mark: { type: "bar", tooltip: true },
    encoding: {
      x: { field: "point", type: "nominal", sort: order, title: null, axis: { labelAngle: 0, labelLimit: 260 } },
      xOffset: { field: "contender", type: "nominal" },
      y: { field: "percent", type: "quantitative", title: "% of calls to the slow backend" },
      color: { field: "contender", type: "nominal", title: "contender", legend: { orient: "bottom", columns: 3, labelLimit: 300 } },
    },
  });
  return { file: `${results.scenario}-slow-share.svg`, title, svg };
}

/** The server's concurrency limit over each measured window (first run), one panel per point. */
async function limitChart(results: ScenarioResults): Promise<Chart> {
  const order = results.points.map((p) => p.label);
  const values = results.figures.flatMap((f) =>
    (seriesOfRuns(f)[0]?.limit ?? []).map(([ms, limit]) => ({
      point: results.points.find((p) => p.id === f.point)?.label ?? f.point,
      contender: labelOf(results, f.contender),
      s: ms / 1000,
      limit,
    })),
  );
  const title = `${results.scenario}: server concurrency limit over the measured window (run 1)`;
  const svg = await render({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values },
    facet: { column: { field: "point", type: "nominal", sort: order, title: null } },
    spec: {
      width: 170,
      height: 200,
      mark: { type: "line", interpolate: "step-after" },
      encoding: {
        x: { field: "s", type: "quantitative", title: "s" },
        y: { field: "limit", type: "quantitative", title: "limit (log scale)", scale: { type: "log" } },
        color: { field: "contender", type: "nominal", title: "contender", legend: { orient: "bottom", columns: 3, labelLimit: 300 } },
      },
    },
  });
  return { file: `${results.scenario}-limit.svg`, title, svg };
}

/** File names of the charts `chartsFor` writes for a scenario of this kind and these point ids. */
export function chartFiles(scenario: string, kind: ScenarioKind, pointIds: readonly string[]): string[] {
  const cdfs = pointIds.map((id) => `${scenario}-latency-cdf-${id}.svg`);
  if (kind === "unary" || kind === "attempts") return [`${scenario}-throughput.svg`, ...cdfs];
  if (kind === "balance") return [`${scenario}-throughput.svg`, `${scenario}-slow-share.svg`, ...cdfs];
  if (kind === "overload") return [`${scenario}-throughput.svg`, `${scenario}-limit.svg`, ...cdfs];
  return [`${scenario}-throughput.svg`, `${scenario}-rss.svg`];
}

/**
 * Every chart of a scenario: throughput bars, plus latency CDFs (unary), peak RSS (stream), the
 * slow backend's share of calls and latency CDFs (balance), or the limit over time and latency CDFs
 * of successful calls (overload).
 */
export async function chartsFor(results: ScenarioResults, kind: ScenarioKind): Promise<Chart[]> {
  if (results.figures.length === 0) return [];
  const charts = [await throughputChart(results, kind)];
  if (kind === "balance") charts.push(await slowShareChart(results));
  if (kind === "overload") charts.push(await limitChart(results));
  if (kind === "stream") {
    charts.push(await rssChart(results));
  } else {
    for (const p of results.points) charts.push(await cdfChart(results, p.id));
  }
  return charts;
}

// Markdown report: one section per scenario (figures, ratios to the anchors, goals, charts, environment).
import { figureOf, ratio } from "./stats.js";
import { nodeFlagsText, stealText } from "./environment.js";
import type { Figure, Scenario, ScenarioResults } from "./scenario.js";

function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–";
}

function fmtMs(us: number): string {
  const ms = us / 1000;
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function fmtMiB(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

function fmtRatio(r: number | undefined): string {
  return r === undefined ? "–" : `${r.toFixed(2)}×`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], rightFrom = 1): string {
  const align = header.map((_, i) => (i >= rightFrom ? "---:" : "---"));
  return [row(header), row(align), ...rows.map(row)].join("\n");
}

function unaryTable(results: ScenarioResults, scenario: Scenario, pointId: string): string {
  const anchors = scenario.anchors;
  const header = [
    "contender", "req/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "CPU µs/call client", "CPU µs/call server", "RSS MiB client", "RSS MiB server",
    ...anchors.map((a) => `req/s ÷ (${a})`),
    ...anchors.map((a) => `p99 ÷ (${a})`),
  ];
  const rows = results.contenders.flatMap((c) => {
    const f = figureOf(results, c.id, pointId);
    if (f === undefined) return [[`(${c.id}) ${c.label}`, "not measured"]];
    const anchorFigs = anchors.map((a) => figureOf(results, a, pointId));
    return [[
      `(${c.id}) ${c.label}`, fmtInt(f.callsPerSec), fmtMs(f.p50Us), fmtMs(f.p90Us), fmtMs(f.p99Us), fmtMs(f.p999Us),
      fmtInt(f.clientCpuUsPerCall), fmtInt(f.serverCpuUsPerCall), fmtMiB(f.clientPeakRssBytes), fmtMiB(f.serverPeakRssBytes),
      ...anchorFigs.map((a) => fmtRatio(ratio(f.callsPerSec, a?.callsPerSec))),
      ...anchorFigs.map((a) => fmtRatio(ratio(f.p99Us, a?.p99Us))),
    ]];
  });
  return table(header, rows);
}

function streamTable(results: ScenarioResults, scenario: Scenario, pointId: string): string {
  const anchors = scenario.anchors;
  const header = [
    "contender", "msgs/s", "call s", "CPU µs/msg client", "CPU µs/msg server", "peak RSS MiB client", "peak RSS MiB server",
    ...anchors.map((a) => `msgs/s ÷ (${a})`),
  ];
  const takingPart = results.points.find((p) => p.id === pointId)?.contenders;
  const rows = results.contenders.filter((c) => takingPart === undefined || takingPart.includes(c.id)).flatMap((c) => {
    const f: Figure | undefined = figureOf(results, c.id, pointId);
    if (f === undefined) return [[`(${c.id}) ${c.label}`, "not measured"]];
    return [[
      `(${c.id}) ${c.label}`, fmtInt(f.messagesPerSec), (f.p50Us / 1e6).toFixed(2),
      f.clientCpuUsPerMessage.toFixed(2), f.serverCpuUsPerMessage.toFixed(2), fmtMiB(f.clientPeakRssBytes), fmtMiB(f.serverPeakRssBytes),
      ...anchors.map((a) => fmtRatio(ratio(f.messagesPerSec, figureOf(results, a, pointId)?.messagesPerSec))),
    ]];
  });
  return table(header, rows);
}

function fmtPct(share: number | undefined): string {
  return share === undefined || !Number.isFinite(share) ? "–" : `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
}

/** Counter names of a group with "slow" first, the others in name order. */
function backendOrder(shares: Readonly<Record<string, number>>): string[] {
  return Object.keys(shares).sort((x, y) => (x === "slow" ? -1 : y === "slow" ? 1 : x < y ? -1 : x > y ? 1 : 0));
}

function balanceTable(results: ScenarioResults, scenario: Scenario, pointId: string): string {
  const anchors = scenario.anchors;
  const first = results.figures.find((f) => f.point === pointId && f.counterShares?.window !== undefined);
  const order = first?.counterShares?.window ? backendOrder(first.counterShares.window) : [];
  const header = [
    "contender", "req/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "to slow", `per backend (${order.join(" / ") || "–"})`,
    "CPU µs/call client", "CPU µs/call server",
    ...anchors.map((a) => `req/s ÷ (${a})`),
    ...anchors.map((a) => `p50 ÷ (${a})`),
    ...anchors.map((a) => `p99 ÷ (${a})`),
  ];
  const rows = results.contenders.flatMap((c) => {
    const f = figureOf(results, c.id, pointId);
    if (f === undefined) return [[`(${c.id}) ${c.label}`, "not measured"]];
    const anchorFigs = anchors.map((a) => figureOf(results, a, pointId));
    const window = f.counterShares?.window;
    return [[
      `(${c.id}) ${c.label}`, fmtInt(f.callsPerSec), fmtMs(f.p50Us), fmtMs(f.p90Us), fmtMs(f.p99Us), fmtMs(f.p999Us),
      fmtPct(f.counterShares?.whileSlow?.slow), window ? order.map((k) => fmtPct(window[k])).join(" / ") : "–",
      fmtInt(f.clientCpuUsPerCall), fmtInt(f.serverCpuUsPerCall),
      ...anchorFigs.map((a) => fmtRatio(ratio(f.callsPerSec, a?.callsPerSec))),
      ...anchorFigs.map((a) => fmtRatio(ratio(f.p50Us, a?.p50Us))),
      ...anchorFigs.map((a) => fmtRatio(ratio(f.p99Us, a?.p99Us))),
    ]];
  });
  return table(header, rows);
}

/** CPU share of a result saved before the open-loop CPU shares were kept: per-call CPU × successful calls per second (0 without a success). */
function legacyCore(usPerCall: number, f: Figure): number {
  return (usPerCall * f.callsPerSec) / 1e6;
}

/** The server's limit at the end, after the caller's own when it keeps one. */
function limitText(caller: number | undefined, server: number | undefined): string {
  const serverText = server === undefined ? "–" : fmtInt(server);
  return caller === undefined ? serverText : `${fmtInt(caller)} · ${serverText}`;
}

/** "p50 / p99" in ms, or "–" when no call was shed there. */
function fmtSplit(p50Us: number | undefined, p99Us: number | undefined): string {
  return p50Us === undefined || p99Us === undefined ? "–" : `${fmtMs(p50Us)} / ${fmtMs(p99Us)}`;
}

function overloadTable(results: ScenarioResults, _scenario: Scenario, pointId: string): string {
  const header = [
    "contender", "offered/s", "goodput/s", "p50 ms (ok)", "p99 ms (ok)", "rejected", "of them at the caller", "failed", "reject p50 ms", "reject p99 ms",
    "reject p50 / p99 ms: at the caller · by the server", "server reject p99 ms", "handler ms mean (timer late mean / p99)", "limit at end (the caller's · the server's)", "CPU client", "CPU server",
  ];
  const rows = results.contenders.flatMap((c) => {
    const f = figureOf(results, c.id, pointId);
    const o = f?.openLoop;
    if (f === undefined || o === undefined) return [[`(${c.id}) ${c.label}`, "not measured"]];
    const limit = f.gauges?.limit;
    const serverReject = f.gauges?.serverRejectP99Us;
    const handler = f.gauges?.handlerMeanUs;
    const late = f.gauges?.timerLateMeanUs;
    const handlerText = handler === undefined ? "–" : `${fmtMs(handler)}${late === undefined ? "" : ` (${fmtMs(late)} / ${fmtMs(f.gauges?.timerLateP99Us ?? 0)})`}`;
    return [[
      `(${c.id}) ${c.label}`, fmtInt(o.offeredPerSec), fmtInt(o.goodputPerSec), fmtMs(f.p50Us), fmtMs(f.p99Us), fmtPct(o.rejectedShare),
      o.callerRejectedShare === undefined || !(o.rejectedShare > 0) ? "–" : fmtPct(o.callerRejectedShare / o.rejectedShare),
      fmtPct(o.failedShare), o.rejectedShare > 0 ? fmtMs(o.rejectP50Us) : "–", o.rejectedShare > 0 ? fmtMs(o.rejectP99Us) : "–",
      o.callerRejectedShare === undefined ? "–" : `${fmtSplit(o.callerRejectP50Us, o.callerRejectP99Us)} · ${fmtSplit(o.serverRejectP50Us, o.serverRejectP99Us)}`,
      serverReject === undefined ? "–" : fmtMs(serverReject), handlerText, limitText(o.callerLimitAtEnd, limit), fmtPct(o.clientCpuShare ?? legacyCore(f.clientCpuUsPerCall, f)),
      fmtPct(o.serverCpuShare ?? legacyCore(f.serverCpuUsPerCall, f)),
    ]];
  });
  return table(header, rows);
}

/** The table of an `attempts` scenario at one point: latency and the attempts each call cost. */
function attemptsTable(results: ScenarioResults, scenario: Scenario, pointId: string): string {
  const anchors = scenario.anchors;
  const header = [
    "contender", "req/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "attempts per call", "extra attempts", "attempts cancelled",
    "CPU µs/call client", "CPU µs/call server",
    ...anchors.map((a) => `p99 ÷ (${a})`),
    ...anchors.map((a) => `p99.9 ÷ (${a})`),
  ];
  const rows = results.contenders.flatMap((c) => {
    const f = figureOf(results, c.id, pointId);
    if (f === undefined) return [[`(${c.id}) ${c.label}`, "not measured"]];
    const anchorFigs = anchors.map((a) => figureOf(results, a, pointId));
    const first = f.counterShares?.attempts?.first;
    const perCall = first === undefined || first <= 0 ? undefined : 1 / first;
    return [[
      `(${c.id}) ${c.label}`, fmtInt(f.callsPerSec), fmtMs(f.p50Us), fmtMs(f.p90Us), fmtMs(f.p99Us), fmtMs(f.p999Us),
      perCall === undefined ? "–" : perCall.toFixed(3), perCall === undefined ? "–" : fmtPct(perCall - 1),
      fmtPct(f.counterShares?.ends?.cancelled),
      fmtInt(f.clientCpuUsPerCall), fmtInt(f.serverCpuUsPerCall),
      ...anchorFigs.map((a) => fmtRatio(ratio(f.p99Us, a?.p99Us))),
      ...anchorFigs.map((a) => fmtRatio(ratio(f.p999Us, a?.p999Us))),
    ]];
  });
  return table(header, rows);
}

function fmtStall(ms: number | undefined): string {
  return ms === undefined ? "–" : ms.toFixed(1);
}

/**
 * What stalled the processes while a point was measured (medians over runs; the server column is
 * the worst server process): tells a busy machine (run-queue wait), GC and event-loop stalls apart.
 */
function stallTable(results: ScenarioResults, pointId: string): string | undefined {
  const figures = results.contenders.map((c) => ({ c, f: figureOf(results, c.id, pointId) }));
  if (!figures.some(({ f }) => f?.clientStalls !== undefined)) return undefined;
  const header = [
    "contender",
    "client loop delay p99 / max ms", "client GC max ms", "client GC ms/s", "client CPU wait ms/s",
    "server loop delay p99 / max ms", "server GC max ms", "server GC ms/s", "server CPU wait ms/s",
  ];
  const rows = figures.map(({ c, f }) => {
    const cs = f?.clientStalls;
    const ss = f?.serverStalls;
    return [
      `(${c.id}) ${c.label}`,
      cs === undefined ? "–" : `${fmtStall(cs.loopDelayP99Ms)} / ${fmtStall(cs.loopDelayMaxMs)}`,
      fmtStall(cs?.gcPauseMaxMs), fmtStall(cs?.gcPauseMsPerS), fmtStall(cs?.runQueueWaitMsPerS),
      ss === undefined ? "–" : `${fmtStall(ss.loopDelayP99Ms)} / ${fmtStall(ss.loopDelayMaxMs)}`,
      fmtStall(ss?.gcPauseMaxMs), fmtStall(ss?.gcPauseMsPerS), fmtStall(ss?.runQueueWaitMsPerS),
    ];
  });
  return table(header, rows);
}

/** The markdown section of one scenario; `chartDir` is the charts' path relative to the report. */
export function scenarioSection(scenario: Scenario, results: ScenarioResults, chartFiles: readonly string[], chartDir: string): string {
  const env = results.environment;
  const out: string[] = [];
  out.push(`## \`${scenario.name}\` — ${scenario.title}`, "", results.description ?? scenario.description, "");
  out.push(
    `Measured ${env.date} with \`${env.command}\`: ${env.runs} run${env.runs === 1 ? "" : "s"} per figure (medians), Node ${env.node}, ` +
      `${env.cores} cores (${env.cpuModel}), load average at start ${env.loadAverage.join(" / ")}${stealText(env)}${nodeFlagsText(env)}${env.quick ? "; **quick smoke run: figures are not meaningful**" : ""}.`,
    "",
  );
  for (const p of results.points) {
    out.push(`### ${p.label}`, "");
    const tableOf = { unary: unaryTable, stream: streamTable, balance: balanceTable, overload: overloadTable, attempts: attemptsTable }[scenario.kind];
    out.push(tableOf(results, scenario, p.id), "");
    // Where a rejection's time goes in the overload scenario: both processes' stalls lie on its path.
    const stalls = scenario.kind === "attempts" || scenario.kind === "overload" ? stallTable(results, p.id) : undefined;
    if (stalls !== undefined) {
      out.push(
        "What stalled the processes meanwhile: event-loop delay (beyond the monitor's 20 ms sampling period), GC pauses, and the time the main thread was " +
          "runnable but waited for a CPU (/proc/self/schedstat: other load on the machine):",
        "",
        stalls,
        "",
      );
    }
  }
  if (scenario.goals.length > 0) {
    out.push("### Goals", "");
    for (const g of scenario.goals) {
      const v = g.evaluate(results);
      const mark = v.met === undefined ? "— not measured" : v.met ? "✅ met" : "❌ not met";
      out.push(`- ${mark}: ${g.description}. ${v.detail}`);
    }
    out.push("");
  }
  if (chartFiles.length > 0) {
    out.push("### Charts", "");
    for (const f of chartFiles) out.push(`![${f}](${chartDir}/${f})`, "");
  }
  if (results.failures.length > 0) {
    out.push("### Failures", "");
    for (const f of results.failures) out.push(`- (${f.contender}) run ${f.run}: ${f.error.split("\n")[0]}`);
    out.push("");
  }
  out.push(
    `<details><summary>Package versions</summary>\n\n${Object.entries(env.packages).map(([k, v]) => `- ${k} ${v}`).join("\n")}\n\n</details>`,
    "",
  );
  return out.join("\n");
}

/** The whole report: a header and the sections, in registry order. */
export function renderReport(sections: readonly string[], quick: boolean): string {
  return [
    "# Sluice benchmarks",
    "",
    "Generated by `npm run bench` (bench/src/run.ts); do not edit by hand — see bench/README.md. Every figure is the median of several",
    "runs, and every Sluice figure is shown as a ratio to anchors measured in the same run: plain Connect-ES, grpc-js and a raw",
    "`node:http2` echo (the ceiling on this machine). Client and server run in separate Node processes on 127.0.0.1.",
    "",
    "**Noise.** This machine has 2 cores shared with other engineers' builds and tests, so round-to-round noise is up to ±20 %:",
    "compare ratios and CPU µs per call (steadier than throughput) rather than absolute req/s. Load average at start is recorded per section.",
    quick ? "\n**This is a quick smoke run (`--quick`): it checks that the suite works, its figures mean nothing.**\n" : "",
    ...sections,
  ].join("\n");
}

// Text output of the demo: the live progress line and the summary table.
import type { ChannelStats } from "@sluice/runtime";
import type { Fleet } from "./fleet.js";

/** A one-line progress bar with live per-endpoint in-flight counts and latency estimates. */
export function progressLine(label: string, elapsed: number, total: number, calls: number, stats: ChannelStats, fleet: Fleet): string {
  const width = 20;
  const filled = Math.round((elapsed / total) * width);
  const bar = "█".repeat(filled) + "░".repeat(width - filled);
  const endpoints = stats.endpoints
    .map((e) => {
      const name = fleet.members[fleet.addresses.indexOf(e.address)]?.name ?? e.address;
      const ewma = e.latencyEwmaMs === undefined ? "-" : e.latencyEwmaMs.toFixed(1);
      return `${name} ${e.inFlight} in flight/${ewma} ms`;
    })
    .join(" | ");
  return `${label.padEnd(14)} ${bar} ${elapsed.toFixed(1)}/${total.toFixed(1)} s ${String(calls).padStart(6)} calls  ${endpoints}`;
}

/** Formats rows as an aligned plain-text table. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

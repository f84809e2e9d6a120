// Share of the machine's CPU time the hypervisor gave to other guests (the `steal` column of
// /proc/stat): on a shared VM it says how much of a run's slowness was not ours.
import { readFileSync } from "node:fs";

/** Cumulative CPU time counters of all cores, in clock ticks. */
export interface CpuTicks {
  readonly total: number;
  readonly steal: number;
}

/** Parses the aggregate `cpu` line of /proc/stat text; undefined when it is absent or malformed. */
export function parseCpuTicks(procStat: string): CpuTicks | undefined {
  const line = procStat.split("\n").find((l) => l.startsWith("cpu "));
  if (line === undefined) return undefined;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 8 || fields.some((f) => !Number.isFinite(f))) return undefined;
  // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already in user.
  const total = fields.slice(0, 8).reduce((sum, f) => sum + f, 0);
  return { total, steal: fields[7] ?? 0 };
}

/** Reads the counters now; undefined off Linux. */
export function readCpuTicks(): CpuTicks | undefined {
  try {
    return parseCpuTicks(readFileSync("/proc/stat", "utf8"));
  } catch {
    return undefined;
  }
}

/** Percentage of CPU time stolen between two readings (undefined when either is missing or no time passed). */
export function stealPercent(before: CpuTicks | undefined, after: CpuTicks | undefined): number | undefined {
  if (before === undefined || after === undefined) return undefined;
  const total = after.total - before.total;
  if (!(total > 0)) return undefined;
  return Math.round(((after.steal - before.steal) / total) * 1000) / 10;
}

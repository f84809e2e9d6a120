// GC pauses of a process as wall-clock intervals, and how much of a time span they cover: lets the
// reject-timing tool tell which slow calls a pause of either process fell into.
import { PerformanceObserver } from "node:perf_hooks";

/** A pause, [start, end] in wall-clock ms (`performance.timeOrigin` based, comparable across processes). */
export type Pause = readonly [number, number];

/** Records the process's GC pauses until `stop()`, which returns them in start order. */
export function recordGcPauses(): { stop(): Pause[] } {
  const pauses: Pause[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push([performance.timeOrigin + e.startTime, performance.timeOrigin + e.startTime + e.duration]);
  });
  observer.observe({ entryTypes: ["gc"] });
  return {
    stop() {
      observer.disconnect();
      return pauses.sort((a, b) => a[0] - b[0]);
    },
  };
}

/** Milliseconds of [from, to] covered by `pauses` (sorted by start, not overlapping each other: one process's pauses). */
export function pausedWithin(pauses: readonly Pause[], from: number, to: number): number {
  let covered = 0;
  for (const [start, end] of pauses) {
    if (start >= to) break;
    if (end > from) covered += Math.min(end, to) - Math.max(start, from);
  }
  return covered;
}

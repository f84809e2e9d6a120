// What a contender's server and client modules export; worker-main.ts loads them by path.
import type { JsonObject, ServerCounters, ServerSeries } from "./scenario.js";

/** A running benchmark server (it may listen on several ports in one process). */
export interface BenchServer {
  /** The ports it listens on, on 127.0.0.1. */
  readonly ports: readonly number[];
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
  /** Applies a point's `server` arguments (before the point's warm-up); optional. */
  configure?(args: JsonObject): void;
  /** Called when a measured window opens (after the warm-up, just before measuring); optional. */
  mark?(): void;
  /** The counters kept since the last `mark`; optional. */
  counters?(): ServerCounters;
  /** Gauges at the end of the window (e.g. the current concurrency limit); optional. */
  gauges?(): Readonly<Record<string, number>>;
  /** Time series sampled since the last `mark` (undefined: none at this point); optional. */
  series?(): ServerSeries | undefined;
}

/** Exported as `startServer` by every server module. */
export type StartServer = (options: JsonObject) => Promise<BenchServer>;

/** A client able to make one call of the scenario; the harness drives the load. */
export interface BenchCaller {
  /**
   * Makes one call and resolves with the number of response messages received
   * (1 for unary); rejects on any error.
   */
  call(args: JsonObject): Promise<number>;
  /**
   * Whether a call's RESOURCE_EXHAUSTED error (a shed) was decided in this process, by the
   * caller's own limiter, rather than answered by a server; optional (absent: every shed is the
   * server's). The open loop counts and times the two apart.
   */
  shedAtCaller?(error: unknown): boolean;
  /** The caller's own concurrency limit now (e.g. a channel's per-endpoint limit), if it keeps one; optional. */
  callerLimit?(): number | undefined;
  /** Closes connections. */
  close(): Promise<void>;
}

/** Exported as `createCaller` by every client module. */
export type CreateCaller = (ports: readonly number[], options: JsonObject) => Promise<BenchCaller>;

/** Reads a positive integer option, or the default; throws naming the field when invalid. */
export function intOption(options: JsonObject, field: string, fallback: number): number {
  const value = options[field];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new Error(`option "${field}" must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Reads a string option restricted to `accepted`, or the default. */
export function choiceOption<T extends string>(options: JsonObject, field: string, accepted: readonly T[], fallback: T): T {
  const value = options[field];
  if (value === undefined) return fallback;
  const found = accepted.find((a) => a === value);
  if (found === undefined) {
    throw new Error(`option "${field}" must be one of ${accepted.join(", ")}, got ${JSON.stringify(value)}`);
  }
  return found;
}

/** The payload of `size` bytes every echo call sends. */
export function makePayload(size: number): Uint8Array {
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = 97 + (i % 26);
  return payload;
}

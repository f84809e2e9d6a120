// Backends of the tail and retry-storm scenarios: several Sluice serve() in this one process, each
// answering Echo after ~1 ms, with a rare long hiccup or a share of failures, counting attempts.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { intOption, type StartServer } from "../harness/contracts.js";
import type { JsonObject } from "../harness/scenario.js";
import { EchoResponseSchema } from "../../gen/bench/v1/echo_pb.js";
import { startUnaryBackends } from "./unary-backends.js";

/** A number option in [0, 1]. */
function rateOption(options: JsonObject, field: string, fallback: number): number {
  const value = options[field] === undefined ? fallback : Number(options[field]);
  if (!(value >= 0 && value <= 1)) throw new Error(`option "${field}" must be a number from 0 to 1, got ${String(options[field])}`);
  return value;
}

/** Waits `ms`, or until the call is cancelled (a losing hedge frees its backend at once). */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Options (also accepted by `configure`): `backends` (default 4) ports; `fastMs` (default 1) the
 * usual wait; `hiccupRate` (default 0.01) the chance that a call waits `hiccupMs` (default 100)
 * instead; `failRate` (default 0) the chance that a call fails with UNAVAILABLE.
 *
 * Counters over each window: `attempts` — `first` (no `grpc-previous-rpc-attempts` header) and
 * `extra` (retries and hedges); `ends` — `completed` and `cancelled` (a losing hedge).
 */
export const startServer: StartServer = async (options) => {
  const backends = intOption(options, "backends", 4);
  let fastMs = intOption(options, "fastMs", 1);
  let hiccupMs = intOption(options, "hiccupMs", 100);
  let hiccupRate = rateOption(options, "hiccupRate", 0.01);
  let failRate = rateOption(options, "failRate", 0);
  let attempts = { first: 0, extra: 0 };
  let ends = { completed: 0, cancelled: 0 };
  const servers = await startUnaryBackends(
    backends,
    {
      echo: async (_i, request, context) => {
        if (context.requestHeader.has("grpc-previous-rpc-attempts")) attempts.extra++;
        else attempts.first++;
        const finished = await sleep(Math.random() < hiccupRate ? hiccupMs : fastMs, context.signal);
        if (!finished) {
          ends.cancelled++;
          throw new ConnectError("cancelled", Code.Canceled);
        }
        ends.completed++;
        if (Math.random() < failRate) throw new ConnectError("failing as configured", Code.Unavailable);
        return create(EchoResponseSchema, { payload: request.payload });
      },
    },
    "tail",
  );
  return {
    ports: servers.map((s) => s.port),
    configure(args: JsonObject) {
      fastMs = intOption(args, "fastMs", fastMs);
      hiccupMs = intOption(args, "hiccupMs", hiccupMs);
      hiccupRate = rateOption(args, "hiccupRate", hiccupRate);
      failRate = rateOption(args, "failRate", failRate);
    },
    mark() {
      attempts = { first: 0, extra: 0 };
      ends = { completed: 0, cancelled: 0 };
    },
    counters: () => ({ attempts, ends }),
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
};

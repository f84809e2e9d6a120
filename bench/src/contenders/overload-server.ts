// Server of the overload scenario: one Sluice serve() whose Echo has a fixed capacity (`capacity`
// calls worked on at once, `serviceMs` each, the rest waiting in the handler's FIFO), with or
// without a concurrency limiter in front; it samples the limiter's limit over each window.
import { create } from "@bufbuild/protobuf";
import { serve, unimplemented, type LimitSpec } from "@sluice/runtime";
import { choiceOption, intOption, type StartServer } from "../harness/contracts.js";
import type { JsonObject } from "../harness/scenario.js";
import { EchoResponseSchema } from "../../gen/bench/v1/echo_pb.js";
import { registerEchoService } from "../../gen/bench/v1/echo_sluice.js";
import { createOverloadMeter } from "./overload-meter.js";
import { timeShedAnswers } from "./reject-stamps.js";

/** The limiters compared, by name. */
export const overloadLimiters = ["none", "fixed", "aimd", "vegas", "gradient2", "envoy-gradient", "aimd-window", "vegas-window", "gradient2-window"] as const;

/** A limiter of the overload scenario. */
export type OverloadLimiter = (typeof overloadLimiters)[number];

/** `value` as a limiter name; throws naming `--limiter` and the accepted names otherwise (for the tools' command lines). */
export function overloadLimiterOf(value: string | undefined): OverloadLimiter {
  const found = overloadLimiters.find((l) => l === value);
  if (found === undefined) throw new Error(`--limiter must be one of ${overloadLimiters.join(", ")}, got "${value}"`);
  return found;
}

/**
 * The settings of each limiter for a server of `capacity` calls of `serviceMs`: Netflix's and
 * Envoy's defaults, except AIMD's timeout (a call slower than 1.5× the service time counts as a
 * drop: the only congestion signal AIMD has on a server; the 5 s default never fires here). Netflix's
 * least limit of 20 is above this server's capacity, but lowering it lets AIMD collapse (one
 * backoff per late answer): see packages/runtime/src/limit/simulated-server.spec.ts. The
 * `-window` limiters are AIMD, Vegas and Gradient2 with the same settings in Netflix's sample
 * window (`window: {}`: one update per 1 s window of samples, Netflix's `WindowedLimit` defaults).
 */
export function limitSpecOf(limiter: OverloadLimiter, capacity: number, serviceMs: number): LimitSpec | undefined {
  switch (limiter) {
    case "none":
      return undefined;
    case "fixed":
      return { algorithm: "fixed", limit: capacity };
    case "aimd":
      return { algorithm: "aimd", timeoutMs: 1.5 * serviceMs };
    case "vegas":
      return { algorithm: "vegas" };
    case "gradient2":
      return { algorithm: "gradient2" };
    case "envoy-gradient":
      return { algorithm: "envoy-gradient" };
    case "aimd-window":
      return { algorithm: "aimd", timeoutMs: 1.5 * serviceMs, window: {} };
    case "vegas-window":
      return { algorithm: "vegas", window: {} };
    case "gradient2-window":
      return { algorithm: "gradient2", window: {} };
  }
}

/**
 * Options: `capacity` (default 16) and `serviceMs` (default 10) of the Echo; `limiter`, one of
 * {@link overloadLimiters} (default "none"); `stampRejects` 1 puts the server's stamps on every shed
 * answer (reject-stamps.ts; default 0). Gauges and series: overload-meter.ts's (`limit`, `shed`,
 * `serverRejectP99Us`: node's 'stream' event to the shed's respond; `handlerMeanUs`,
 * `timerLateMeanUs` / `timerLateP99Us`; the `limit` every 50 ms since the window opened).
 */
export const startServer: StartServer = async (options: JsonObject) => {
  const capacity = intOption(options, "capacity", 16);
  const serviceMs = intOption(options, "serviceMs", 10);
  const limiter = choiceOption(options, "limiter", overloadLimiters, "none");
  const concurrency = limitSpecOf(limiter, capacity, serviceMs);
  const stampRejects = intOption(options, "stampRejects", 0);
  if (stampRejects > 1) throw new Error(`option "stampRejects" must be 0 or 1, got ${stampRejects}`);
  const meter = createOverloadMeter(capacity, serviceMs);
  const server = await serve({
    port: 0,
    host: "127.0.0.1",
    shutdownGraceMs: 0,
    health: false,
    ...(concurrency === undefined ? {} : { limits: { concurrency } }),
    routes: (router) =>
      registerEchoService(router, {
        async echo(request, context) {
          const began = performance.now();
          await meter.gate.work(() => context.signal);
          meter.handled(began);
          return create(EchoResponseSchema, { payload: request.payload });
        },
        async *echoStream() {
          throw new Error("the overload server serves unary Echo only");
        },
        echoUpload: unimplemented,
        echoBidi: unimplemented,
      }),
  });
  timeShedAnswers(server.http2Server, stampRejects === 1, meter.shedTimed);
  return meter.benchServer([server.port], () => server.limits, () => server.close());
};

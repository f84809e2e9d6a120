// Backends of the balance scenario: several Sluice serve() in this one process, one per port, each
// answering Echo after a timer (fast ones ~1 ms, one slow, or failing fast), serving long streams,
// and counting the calls each receives.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Server } from "@sluice/runtime";
import { serve, unimplemented } from "@sluice/runtime";
import { choiceOption, intOption, type StartServer } from "../harness/contracts.js";
import type { JsonObject } from "../harness/scenario.js";
import { EchoResponseSchema, EchoStreamResponseSchema } from "../../gen/bench/v1/echo_pb.js";
import { registerEchoService } from "../../gen/bench/v1/echo_sluice.js";

/**
 * What the slow backend does: slow from the `configure` call on, never, some time after `mark`, or
 * (`fail-fast`) answer every Echo at once with RESOURCE_EXHAUSTED, as an overloaded server shedding
 * load does.
 */
const slowModes = ["now", "never", "after-mark", "fail-fast"] as const;

/** Gap between the messages of an EchoStream on the balance backends (the first is sent at once). */
const streamIntervalMs = 100;

/** Counter name of backend `i` (1-based position in the port list): "slow" or "fast-<i>". */
function backendName(i: number, slowIndex: number): string {
  return i === slowIndex ? "slow" : `fast-${i + 1}`;
}

/**
 * Options: `backends` (default 4) ports served; `fastMs` (default 1) and `slowMs` (default 20)
 * timer delays before each answer; `slowBackend` (default 0), the index of the slow backend in the
 * port list; `slow` (default "never"), its initial mode.
 *
 * Point arguments (`configure`): `{ slow: "now" | "never" | "fail-fast" }`, or
 * `{ slow: "after-mark", afterMs }` to turn slow `afterMs` after the measured window opens.
 * Counters over each window: `window` (every Echo) and `whileSlow`, per backend: Echo calls that
 * arrived while the slow backend was slow or failing — except while an EchoStream is open (the
 * balance scenario holds one long stream in its `stream` point): then Echo calls count as `slow`
 * when they reached the backend holding the stream and `other` when not. EchoStream sends `count`
 * messages, one every 100 ms, the first at once.
 */
export const startServer: StartServer = async (options) => {
  const backends = intOption(options, "backends", 4);
  const fastMs = intOption(options, "fastMs", 1);
  const slowMs = intOption(options, "slowMs", 20);
  const slowIndex = intOption(options, "slowBackend", 0);
  if (backends < 1 || slowIndex >= backends) {
    throw new Error(`options "backends" (${backends}) must be >= 1 and "slowBackend" (${slowIndex}) below it`);
  }
  // The slow backend is slow from `slowSince` (performance.now() ms) on; Infinity: not slow.
  let slowSince = choiceOption(options, "slow", slowModes, "never") === "now" ? -Infinity : Infinity;
  let failFast = false;
  const openStreams: number[] = Array.from({ length: backends }, () => 0);
  let slowAfterMarkMs: number | undefined;
  const names = Array.from({ length: backends }, (_, i) => backendName(i, slowIndex));
  const zero = (): Record<string, number> => Object.fromEntries(names.map((n) => [n, 0]));
  let window = zero();
  let whileSlow = zero();

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  const servers: Server[] = [];
  for (let i = 0; i < backends; i++) {
    const name = names[i];
    const isSlowBackend = i === slowIndex;
    servers.push(
      await serve({
        port: 0,
        host: "127.0.0.1",
        shutdownGraceMs: 0,
        health: false,
        routes: (router) =>
          registerEchoService(router, {
            async echo(request) {
              const slowNow = performance.now() >= slowSince || failFast;
              window[name]++;
              // While a long stream is open, `whileSlow` splits calls into those that reached the
              // backend holding it ("slow") and the rest ("other").
              if (openStreams.some((n) => n > 0)) {
                const key = openStreams[i]! > 0 ? "slow" : "other";
                whileSlow[key] = (whileSlow[key] ?? 0) + 1;
              } else if (slowNow) {
                whileSlow[name]++;
              }
              if (isSlowBackend && failFast) throw new ConnectError(`${name} is overloaded`, Code.ResourceExhausted);
              await sleep(isSlowBackend && slowNow ? slowMs : fastMs);
              return create(EchoResponseSchema, { payload: request.payload });
            },
            async *echoStream(request, context) {
              openStreams[i]!++;
              try {
                for (let n = 0; n < request.count && !context.signal.aborted; n++) {
                  if (n > 0) await sleep(streamIntervalMs);
                  yield create(EchoStreamResponseSchema, { payload: request.payload });
                }
              } finally {
                openStreams[i]!--;
              }
            },
            echoUpload: unimplemented,
            echoBidi: unimplemented,
          }),
      }),
    );
  }
  return {
    ports: servers.map((s) => s.port),
    configure(args: JsonObject) {
      const mode = choiceOption(args, "slow", slowModes, "now");
      slowAfterMarkMs = mode === "after-mark" ? intOption(args, "afterMs", 0) : undefined;
      slowSince = mode === "now" ? -Infinity : Infinity;
      failFast = mode === "fail-fast";
    },
    mark() {
      window = zero();
      whileSlow = zero();
      if (slowAfterMarkMs !== undefined) slowSince = performance.now() + slowAfterMarkMs;
    },
    counters: () => ({ window, whileSlow }),
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
};

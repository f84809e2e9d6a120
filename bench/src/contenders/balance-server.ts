// Backends of the balance scenario: several Sluice serve() in this one process, one per port, each
// answering Echo after a timer (fast ones ~1 ms, one slow), counting the calls each receives.
import { create } from "@bufbuild/protobuf";
import { choiceOption, intOption, type StartServer } from "../harness/contracts.js";
import type { JsonObject } from "../harness/scenario.js";
import { EchoResponseSchema } from "../../gen/bench/v1/echo_pb.js";
import { startUnaryBackends } from "./unary-backends.js";

/** When the slow backend is slow: from the `configure` call on, never, or some time after `mark`. */
const slowModes = ["now", "never", "after-mark"] as const;

/** Counter name of backend `i` (1-based position in the port list): "slow" or "fast-<i>". */
function backendName(i: number, slowIndex: number): string {
  return i === slowIndex ? "slow" : `fast-${i + 1}`;
}

/**
 * Options: `backends` (default 4) ports served; `fastMs` (default 1) and `slowMs` (default 20)
 * timer delays before each answer; `slowBackend` (default 0), the index of the slow backend in the
 * port list; `slow` (default "never"), its initial mode.
 *
 * Point arguments (`configure`): `{ slow: "now" | "never" }`, or `{ slow: "after-mark", afterMs }`
 * to turn slow `afterMs` after the measured window opens. Counters over each window: `window`
 * (every call) and `whileSlow` (calls that arrived while the slow backend was slow), per backend.
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
  let slowAfterMarkMs: number | undefined;
  const names = Array.from({ length: backends }, (_, i) => backendName(i, slowIndex));
  const zero = (): Record<string, number> => Object.fromEntries(names.map((n) => [n, 0]));
  let window = zero();
  let whileSlow = zero();

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  const servers = await startUnaryBackends(
    backends,
    async (i, request) => {
      const name = names[i];
      const slowNow = performance.now() >= slowSince;
      window[name]++;
      if (slowNow) whileSlow[name]++;
      await sleep(i === slowIndex && slowNow ? slowMs : fastMs);
      return create(EchoResponseSchema, { payload: request.payload });
    },
    "balance",
  );
  return {
    ports: servers.map((s) => s.port),
    configure(args: JsonObject) {
      const mode = choiceOption(args, "slow", slowModes, "now");
      slowAfterMarkMs = mode === "after-mark" ? intOption(args, "afterMs", 0) : undefined;
      slowSince = mode === "now" ? -Infinity : Infinity;
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

// Scenario "stream": one server-streaming call of 1,000,000 small messages, and one read by a slow
// consumer (1 ms per message); msgs/s and peak RSS, AsyncIterable and Observable for Sluice.
import type { Contender, Goal, LoadPhase, Point, Scenario, ScenarioMode, ScenarioResults } from "../harness/scenario.js";
import { figureOf, ratio } from "../harness/stats.js";
import { messagesPerSec, ratioGoal } from "./goals.js";

/** Messages in the measured call (full run). */
const FULL_COUNT = 1_000_000;
/** Messages in the measured call of a quick run. */
const QUICK_COUNT = 20_000;
/** Messages read by the slow consumer (full run; 1 ms each). */
const SLOW_COUNT = 5_000;
/** Messages read by the slow consumer in a quick run. */
const QUICK_SLOW_COUNT = 1_000;

const contenders: Contender[] = [
  {
    id: "a",
    label: "Connect-ES, gRPC (h2c)",
    server: { module: "contenders/connect-es-server.js" },
    client: { module: "contenders/connect-es-client.js", options: { protocol: "grpc" } },
  },
  {
    id: "c",
    label: "grpc-js",
    server: { module: "contenders/grpc-js-server.js" },
    client: { module: "contenders/grpc-js-client.js" },
  },
  {
    id: "d",
    label: "Sluice, AsyncIterable (gRPC)",
    server: { module: "contenders/sluice-server.js", options: { endpoints: 1 } },
    client: { module: "contenders/sluice-client.js", options: { protocol: "grpc" } },
  },
  {
    id: "e",
    label: "Sluice, Observable (gRPC)",
    server: { module: "contenders/sluice-server.js", options: { endpoints: 1 } },
    client: { module: "contenders/sluice-client.js", options: { protocol: "grpc", style: "observable" } },
  },
];

/**
 * Peak RSS of `contender` with the slow consumer within `bound`× of its peak RSS with the fast one,
 * on both the client and the server.
 */
function slowConsumerRssGoal(description: string, contender: string, bound: number): Goal {
  return {
    description,
    evaluate(results: ScenarioResults) {
      const fast = figureOf(results, contender, "burst");
      const slow = figureOf(results, contender, "slow");
      const client = ratio(slow?.clientPeakRssBytes, fast?.clientPeakRssBytes);
      const server = ratio(slow?.serverPeakRssBytes, fast?.serverPeakRssBytes);
      if (client === undefined || server === undefined) return { met: undefined, detail: "not measured" };
      return {
        met: client <= bound && server <= bound,
        detail: `peak RSS slow/fast (${contender}) — client ${client.toFixed(2)}×, server ${server.toFixed(2)}×`,
      };
    },
  };
}

/** The server-streaming scenario. */
export const streamScenario: Scenario = {
  name: "stream",
  title: "Server streaming: one call of 1,000,000 small messages, and a slow consumer",
  description:
    "One server-streaming call sends 1,000,000 messages of 16 bytes each (20,000 with --quick); the client counts them as they arrive " +
    "(AsyncIterable for Connect-ES and Sluice (d), the Observable twin `echoStream$` for Sluice (e), a Readable for grpc-js). " +
    "The slow-consumer point reads 5,000 messages (1,000 with --quick) taking 1 ms per message (a timer; Sluice (e) waits in concatMap), " +
    "so memory must stay bounded while the server could send far faster. Before measuring, each process pair streams calls of 10,000 " +
    "messages for 2 s. msgs/s = messages / wall time of the call; peak RSS is sampled every 100 ms during the call.",
  kind: "stream",
  contenders,
  anchors: ["a", "c"],
  points(mode: ScenarioMode): Point[] {
    const count = mode.quick ? QUICK_COUNT : FULL_COUNT;
    const slow = mode.quick ? QUICK_SLOW_COUNT : SLOW_COUNT;
    return [
      {
        id: "burst",
        label: `${count.toLocaleString("en-US")} messages`,
        measure: { concurrency: 1, maxCalls: 1, timeoutMs: mode.quick ? 30_000 : 180_000, callArgs: { stream: count } },
      },
      {
        id: "slow",
        label: `slow consumer, ${slow.toLocaleString("en-US")} messages at 1 ms each`,
        measure: { concurrency: 1, maxCalls: 1, timeoutMs: 120_000, callArgs: { stream: slow, consumeDelayMs: 1 } },
      },
    ];
  },
  warmup(mode: ScenarioMode): LoadPhase {
    return { concurrency: 1, durationMs: mode.quick ? 300 : 2_000, timeoutMs: 60_000, callArgs: { stream: 10_000 } };
  },
  goals: [
    ratioGoal("Sluice (d) ≥ 1.5× grpc-js (c) msgs/s [issue 5]", "d", "c", messagesPerSec, 1.5, ["burst"]),
    ratioGoal("Sluice Observable (e) ≥ 0.9× Sluice AsyncIterable (d) msgs/s [issue 12]", "e", "d", messagesPerSec, 0.9, ["burst"]),
    slowConsumerRssGoal("Sluice (d): peak RSS with a slow consumer within 1.5× of the fast consumer's [issue 12]", "d", 1.5),
    slowConsumerRssGoal("Sluice Observable (e): peak RSS with a slow consumer within 1.5× of the fast consumer's [issue 12]", "e", 1.5),
  ],
};

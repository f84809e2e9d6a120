// Scenario "stream": one server-streaming call of 1,000,000 small messages; msgs/s and peak RSS.
import type { Contender, LoadPhase, Point, Scenario, ScenarioMode } from "../harness/scenario.js";
import { messagesPerSec, ratioGoal } from "./goals.js";

/** Messages in the measured call (full run). */
const FULL_COUNT = 1_000_000;
/** Messages in the measured call of a quick run. */
const QUICK_COUNT = 20_000;

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
];

/** The server-streaming scenario. */
export const streamScenario: Scenario = {
  name: "stream",
  title: "Server streaming: one call of 1,000,000 small messages",
  description:
    "One server-streaming call sends 1,000,000 messages of 16 bytes each (20,000 with --quick); the client counts them as they arrive " +
    "(AsyncIterable for Connect-ES and Sluice, a Readable for grpc-js). Before measuring, each process pair streams calls of 10,000 messages for 2 s. " +
    "msgs/s = messages / wall time of the call; peak RSS is sampled every 100 ms during the call.",
  kind: "stream",
  contenders,
  anchors: ["a", "c"],
  points(mode: ScenarioMode): Point[] {
    const count = mode.quick ? QUICK_COUNT : FULL_COUNT;
    return [
      {
        id: "burst",
        label: `${count.toLocaleString("en-US")} messages`,
        measure: { concurrency: 1, maxCalls: 1, timeoutMs: mode.quick ? 30_000 : 180_000, callArgs: { stream: count } },
      },
    ];
  },
  warmup(mode: ScenarioMode): LoadPhase {
    return { concurrency: 1, durationMs: mode.quick ? 300 : 2_000, timeoutMs: 60_000, callArgs: { stream: 10_000 } };
  },
  goals: [ratioGoal("Sluice (d) ≥ 1.5× grpc-js (c) msgs/s [issue 5]", "d", "c", messagesPerSec, 1.5)],
};

// Scenario "stream": msgs/s of the four streaming shapes at 16 B, 1 KiB and 64 KiB against
// Connect-ES, grpc-js and a raw node:http2 ceiling; peak RSS with a slow consumer; the event hub
// fanning out to 1,000 streaming calls over the wire.
import type { Contender, Goal, LoadPhase, Point, ProcessSpec, Scenario, ScenarioMode, ScenarioResults } from "../harness/scenario.js";
import { figureOf, pairedMessagesRatio, ratio } from "../harness/stats.js";
import type { StreamShape } from "../contenders/call-args.js";
import { framedMessage } from "../contenders/raw-stream-wire.js";
import { pairedMessagesPerSec, ratioGoal } from "./goals.js";

/** Contenders that serve and call EchoService in every shape. */
const FRAMEWORKS = ["a", "c", "d", "e"];
/** The raw ceiling moves bytes in every shape (no slow consumer). */
const RAW = "r";
/** The hub rows' contender. */
const HUB = "h";
/** Sluice's load generator: its reading style is a call argument (`style`), so (d) and (e) share it. */
const SLUICE_CLIENT: ProcessSpec = { module: "contenders/sluice-client.js", options: { protocol: "grpc" } };
const SLUICE_SERVER: ProcessSpec = { module: "contenders/sluice-server.js", options: { endpoints: 1 } };

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
  { id: "d", label: "Sluice, AsyncIterable (gRPC)", server: SLUICE_SERVER, client: SLUICE_CLIENT },
  // In (d)'s processes, so that the reading style is all that differs (see the description).
  { id: "e", label: "Sluice, Observable (gRPC)", server: SLUICE_SERVER, client: SLUICE_CLIENT, pairOf: "d", callArgs: { style: "observable" } },
  {
    id: RAW,
    label: "raw node:http2, the same bytes (ceiling)",
    server: { module: "contenders/raw-stream-server.js" },
    client: { module: "contenders/raw-stream-client.js" },
  },
  {
    id: HUB,
    label: "Sluice event hub → server streams (gRPC)",
    server: { module: "contenders/sluice-hub-server.js" },
    client: SLUICE_CLIENT,
  },
];

/** One shape × size row: messages per call (full, quick) and who takes part. */
interface ShapePoint {
  readonly id: string;
  readonly label: string;
  readonly shape: StreamShape;
  readonly bytes: number;
  readonly perCall: readonly [full: number, quick: number];
  readonly contenders: readonly string[];
  /** Of the interleaved group, those measured here in alternating slices (omitted: all but grpc-js). */
  readonly sliced?: readonly string[];
}

const KIB = 1024;
/**
 * Ping-pong messages per call: a grpc-js call of 1,000 takes 0.1–0.2 s, so whole calls fit the
 * interleaved group's slices of 0.375 s (its calls elsewhere take 0.4–18 s: it is sliced only here).
 */
const PINGPONG_PER_CALL = 1_000;
/** Interleaved contenders whose calls fit a slice at every shape point. */
const SLICED = ["d", "e", RAW];
/** The ping-pong points slice grpc-js (c) too. */
const SLICED_PINGPONG = ["c", ...SLICED];
/** Observable request streams cannot be paced (rxjs has no pull), so (e) reads answers only: no client-streaming rows. */
const READERS = [...FRAMEWORKS, RAW];
const SENDERS = ["a", "c", "d", RAW];
const shapePoints: readonly ShapePoint[] = [
  { id: "server-16b", label: "server streaming, 16 B", shape: "server", bytes: 16, perCall: [100_000, 2_000], contenders: READERS },
  { id: "server-1k", label: "server streaming, 1 KiB", shape: "server", bytes: KIB, perCall: [20_000, 500], contenders: READERS },
  { id: "server-64k", label: "server streaming, 64 KiB", shape: "server", bytes: 64 * KIB, perCall: [1_000, 20], contenders: READERS },
  { id: "client-16b", label: "client streaming, 16 B", shape: "client", bytes: 16, perCall: [100_000, 2_000], contenders: SENDERS },
  { id: "client-1k", label: "client streaming, 1 KiB", shape: "client", bytes: KIB, perCall: [20_000, 500], contenders: SENDERS },
  { id: "pingpong-16b", label: "bidi echo, ping-pong (1 in flight), 16 B", shape: "bidi-pingpong", bytes: 16, perCall: [PINGPONG_PER_CALL, 100], contenders: READERS, sliced: SLICED_PINGPONG },
  { id: "pingpong-1k", label: "bidi echo, ping-pong (1 in flight), 1 KiB", shape: "bidi-pingpong", bytes: KIB, perCall: [PINGPONG_PER_CALL, 100], contenders: READERS, sliced: SLICED_PINGPONG },
  { id: "pipelined-16b", label: "bidi echo, pipelined, 16 B", shape: "bidi-pipelined", bytes: 16, perCall: [50_000, 2_000], contenders: READERS },
  { id: "pipelined-1k", label: "bidi echo, pipelined, 1 KiB", shape: "bidi-pipelined", bytes: KIB, perCall: [20_000, 500], contenders: READERS },
];
/** Points at 16 B and 1 KiB, every shape (the issue-12 goal against grpc-js). */
const SMALL_POINTS = shapePoints.filter((p) => p.bytes <= KIB).map((p) => p.id);
/** Points where the Observable twin reads the answers. */
const OBSERVED_POINTS = shapePoints.filter((p) => p.contenders.includes("e")).map((p) => p.id);

/** Measured time per shape point (calls run back to back until it has passed), ms. */
const FULL_MS = 3_000;
const QUICK_MS = 300;
/**
 * Warm-up of each shape point with its own calls before it is measured, ms: the scenario's warm-up
 * streams server-side 16 B messages only, so without it a shape's own code paths (the bidi request
 * pump, the handler's request stream, the 64 KiB assembly) were compiled by the JIT inside the
 * measured window, which costs a contender with more JavaScript more than the raw ceiling.
 */
const POINT_WARMUP_MS: readonly [full: number, quick: number] = [1_000, 100];
/** Slow consumer: messages read at 1 ms each. */
const SLOW_COUNT: readonly [full: number, quick: number] = [5_000, 200];
/**
 * Hub rows: events per round to one subscriber, and to each of 1,000. The fan-out's calls carry
 * 10,000 events each so that opening its 1,000 calls is a small part of its time: nothing is
 * delivered until all have joined, and with 3,000 events the calls got their first events 0.6–1.4 s
 * into rounds of 3.3–3.6 s (`hub-wire`, per-call times, load average ~5), while the 1-event
 * `hub-1000-open` point, whose share the goal's line gives, took 0.3 s in the quiet run of 10:38.
 */
const HUB_ONE_EVENTS: readonly [full: number, quick: number] = [100_000, 2_000];
const HUB_FANOUT_EVENTS: readonly [full: number, quick: number] = [10_000, 100];
const HUB_FANOUT = 1_000;
/**
 * Warm-up of the fan-out points: rounds of 1,000 calls of 100 events (10 with --quick), unmeasured.
 * A process pair's first rounds of 1,000 concurrent calls cost each side 3–5× the CPU per call of
 * later ones (the JIT has not compiled the many-streams paths of node:http2 and Sluice, the heaps
 * grow), so without it the opening point measured a cold start, unlike every other point.
 */
const HUB_WARMUP_ROUNDS: readonly [full: number, quick: number] = [3, 2];
const HUB_WARMUP_EVENTS: readonly [full: number, quick: number] = [100, 10];

/**
 * Peak RSS of `contender` with the slow consumer within `bound`× of its peak RSS with the fast one
 * (server streaming, 16 B), on both the client and the server.
 */
function slowConsumerRssGoal(description: string, contender: string, bound: number): Goal {
  return {
    description,
    evaluate(results: ScenarioResults) {
      const fast = figureOf(results, contender, "server-16b");
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

/** Sluice's byte rate with 64 KiB messages against the raw ceiling's (each message the same bytes on the wire). */
function byteRateGoal(description: string, bound: number): Goal {
  const wireBytes = framedMessage(64 * KIB).length;
  return {
    description,
    evaluate(results: ScenarioResults) {
      const sluice = figureOf(results, "d", "server-64k");
      const raw = figureOf(results, RAW, "server-64k");
      // Run by run: (d) and (r) are measured side by side, in alternating slices.
      const r = pairedMessagesRatio(sluice, raw);
      if (r === undefined) return { met: undefined, detail: "not measured" };
      const mbps = (msgs: number): string => `${((msgs * wireBytes) / 1e6).toFixed(0)} MB/s`;
      return {
        met: r >= bound,
        detail: `(d) ${mbps(sluice!.messagesPerSec)} / (${RAW}) ${mbps(raw!.messagesPerSec)} (medians); median of per-run ratios ${r.toFixed(2)}×`,
      };
    },
  };
}

/** The hub's total msgs/s to 1,000 calls against one call's through the same hub (and, for reference, one plain stream's). */
function hubFanoutGoal(description: string, bound: number): Goal {
  return {
    description,
    evaluate(results: ScenarioResults) {
      const fanout = figureOf(results, HUB, "hub-1000")?.messagesPerSec;
      const one = figureOf(results, HUB, "hub-1")?.messagesPerSec;
      const r = ratio(fanout, one);
      if (r === undefined) return { met: undefined, detail: "not measured" };
      const plain = ratio(fanout, figureOf(results, "d", "server-16b")?.messagesPerSec);
      // The opening point moves one event per call: its wall time is that of opening the calls.
      const openMsgs = figureOf(results, HUB, "hub-1000-open")?.messagesPerSec;
      const openShare = openMsgs === undefined ? undefined : HUB_FANOUT / openMsgs / (fanoutMessages(results) / fanout!);
      return {
        met: r >= bound,
        detail:
          `total msgs/s to ${HUB_FANOUT.toLocaleString("en-US")} calls / to 1 call — ${r.toFixed(2)}×` +
          (plain === undefined ? "" : `; / one plain Sluice stream (d, server streaming 16 B) — ${plain.toFixed(2)}×`) +
          (openShare === undefined ? "" : `; opening the calls alone takes ${(openShare * 100).toFixed(1)} % of the fan-out point's time`),
      };
    },
  };
}

/** Messages the fan-out point moved per run (its calls × their events, full or quick as measured). */
function fanoutMessages(results: ScenarioResults): number {
  return HUB_FANOUT * (results.environment.quick ? HUB_FANOUT_EVENTS[1] : HUB_FANOUT_EVENTS[0]);
}

/** The streaming scenario. */
export const streamScenario: Scenario = {
  name: "stream",
  title: "Streaming in four shapes at 16 B, 1 KiB and 64 KiB; a slow consumer; the event hub fanning out",
  description:
    "Each shape × size point runs calls back to back on one connection for 3 s (0.3 s with --quick) and counts the messages moved: " +
    "server streaming (EchoStream: the client counts responses), client streaming (EchoUpload: requests the server counted), " +
    "bidi echo ping-pong (EchoBidi, the next request sent once the previous answer arrived) and pipelined (requests as fast as the " +
    "stream takes them, answers read as they come). Calls carry 100,000 / 20,000 / 1,000 messages of 16 B / 1 KiB / 64 KiB payload " +
    "(ping-pong 1,000, pipelined 16 B 50,000; with --quick 2,000 / 500 / 20, ping-pong 100). Sluice (d) reads and sends AsyncIterables; Sluice (e) reads through " +
    "the Observable twins (`echoStream$`, `echoBidi$`; ping-pong requests from a Subject) and is not run for client streaming, as an " +
    "Observable request source cannot be paced. (e) runs in (d)'s process pair — the same load-generator process, channel and connection, " +
    "and the same server process — its phases asking for the Observable reader by a call argument (`style`): with a pair each, the e/d " +
    "ratio at 1 KiB told which pairs had landed in V8's slow GC mode (each process pair streams 1 KiB at 60–140k or at 230–390k msgs/s " +
    "whatever its reading style: docs/STREAMING.md, \"Bimodal readers\"), not which style reads faster. Only at the slow-consumer point is (e) " +
    "measured in a fresh pair of its own (started and warmed up for it), as peak RSS is a process's high-water mark and in (d)'s processes " +
    "would carry what (d) left. grpc-js uses its stream API (write until it says stop, then wait for drain). " +
    "(r) is the ceiling: node:http2 moving the same bytes (gRPC-framed protobuf built once, written 16 KiB at a time, counted, not parsed). " +
    "The slow-consumer point reads 5,000 messages (200 with --quick) of 16 B taking 1 ms each (a timer; Sluice (e) waits in concatMap); " +
    "its peak RSS is compared with the fast 16 B server stream's. Hub (h): each EchoStream call subscribes to its group's event hub " +
    "(queues of 256, slow consumers ended) and returns `subscription.map((e) => e.value)`, the hub's batched response stream; once 1 or " +
    "1,000 calls have joined, a publisher paced by the fullest queue publishes 100,000 or 10,000 16-byte events (2,000 or 100 with --quick) " +
    "that every call streams out, then closes the hub; all calls on one connection. msgs/s is the total delivered over the point's wall " +
    "time, which includes opening the calls: the fan-out's calls carry 10,000 events so that opening them — " +
    "measured alone by the 1-event point, whose wall time is just that; the goal's line gives its share of the fan-out point's time — is a small part of it " +
    "(with --quick it is a large share, so the quick hub ratio means little). Like the shape points, each hub point is warmed up with its own calls first, " +
    "unmeasured: the one-call point for 1 s (0.1 s with --quick), each fan-out point with 3 rounds of 1,000 calls of 100 events (2 of 10 with --quick), " +
    "as a process pair's first rounds of 1,000 concurrent calls cost each side 3–5× the CPU per call of later ones (JIT, heap growth). Before measuring, each contender streams calls of 10,000 messages for 2 s (2,000 for 0.3 s with --quick) in its process pair " +
    "((d)'s and (e)'s pair once in each style), and each " +
    "shape × size point first runs its own calls for 1 s (0.1 s with --quick), unmeasured, so that the JIT has compiled that shape's code. msgs/s = messages / " +
    "wall time of the point; peak RSS is sampled every 100 ms. (c), (d), (e) and (r) are measured side by side: in each run their three process pairs ((d) and (e) share one) run at once " +
    "(only one of them busy at a time), and at every shape × size point they share (d), (e) and (r) — and at the ping-pong points (c) too — are measured " +
    "in alternating slices — at least 6 of the 3 s (3 of 0.3 s with --quick), rounded up to whole cycles of a balanced design (a Williams square: " +
    "each contender first, second, … and right after each other one equally often; 6 slices of 0.5 s for three, 8 of 0.375 s for four, 6 for two), " +
    "a slice's last call running to its end — and the slices of a contender add up to its sample (messages over the time of its slices; CPU added up: " +
    "for (d) and (e) their shared processes' CPU within each one's own slices, which can include collecting garbage the slice before left; " +
    "peak RSS is the processes' high-water mark, so theirs are alike), " +
    "so that the shared machine's drifts, which moved these rows by half between runs measured minutes apart, hit them alike. A slice must hold whole " +
    "calls: grpc-js's fit only at the ping-pong points (1,000 messages a call, 0.1–0.2 s; its other calls take 0.4–18 s), so elsewhere it is measured " +
    "in one piece before the others' slices, in the same process-pair run. (a) and the hub are measured one process pair at a time in one piece, as before. " +
    "The goals (d) vs (c), (e) vs (d) and (d) vs (r) take the ratio within each run and judge its median over the runs; the tables show medians of each contender's runs.",
  kind: "stream",
  contenders,
  anchors: ["a", "c", RAW],
  // The goals compare (e) with (d), (d) with (r) and (d) with (c): measured side by side, a drift hits them alike.
  interleaved: { contenders: ["c", "d", "e", RAW], slices: [6, 3] },
  points(mode: ScenarioMode): Point[] {
    const pick = ([full, quick]: readonly [number, number]): number => (mode.quick ? quick : full);
    const durationMs = mode.durationMs ?? (mode.quick ? QUICK_MS : FULL_MS);
    const timeoutMs = mode.quick ? 30_000 : 180_000;
    const slow = pick(SLOW_COUNT);
    // Whole rounds only: a round publishes once all its calls have joined.
    const hubFanoutWarmup: LoadPhase = {
      concurrency: HUB_FANOUT,
      maxCalls: pick(HUB_WARMUP_ROUNDS) * HUB_FANOUT,
      timeoutMs,
      callArgs: { stream: pick(HUB_WARMUP_EVENTS) },
    };
    return [
      ...shapePoints.map(
        (p): Point => ({
          id: p.id,
          label: p.label,
          contenders: p.contenders,
          sliced: p.sliced ?? SLICED,
          warmup: { concurrency: 1, durationMs: pick(POINT_WARMUP_MS), timeoutMs, callArgs: { shape: p.shape, bytes: p.bytes, stream: pick(p.perCall) } },
          measure: { concurrency: 1, durationMs, timeoutMs, callArgs: { shape: p.shape, bytes: p.bytes, stream: pick(p.perCall) } },
        }),
      ),
      {
        id: "slow",
        label: `slow consumer, ${slow.toLocaleString("en-US")} messages of 16 B at 1 ms each`,
        contenders: FRAMEWORKS,
        // Peak RSS is a process's high-water mark: in (d)'s processes (e)'s would carry what (d) left.
        freshPairs: ["e"],
        measure: { concurrency: 1, maxCalls: 1, timeoutMs: 120_000, callArgs: { stream: slow, consumeDelayMs: 1 } },
      },
      {
        id: "hub-1",
        label: "hub → 1 server stream, 16 B",
        contenders: [HUB],
        server: { subscribers: 1 },
        warmup: { concurrency: 1, durationMs: pick(POINT_WARMUP_MS), timeoutMs, callArgs: { stream: pick(HUB_ONE_EVENTS) } },
        measure: { concurrency: 1, durationMs, timeoutMs, callArgs: { stream: pick(HUB_ONE_EVENTS) } },
      },
      {
        id: "hub-1000-open",
        label: `hub → ${HUB_FANOUT.toLocaleString("en-US")} server streams, 1 event each (opening the calls)`,
        contenders: [HUB],
        server: { subscribers: HUB_FANOUT },
        warmup: hubFanoutWarmup,
        measure: { concurrency: HUB_FANOUT, maxCalls: HUB_FANOUT, timeoutMs, callArgs: { stream: 1 } },
      },
      {
        id: "hub-1000",
        label: `hub → ${HUB_FANOUT.toLocaleString("en-US")} server streams, 16 B`,
        contenders: [HUB],
        server: { subscribers: HUB_FANOUT },
        warmup: hubFanoutWarmup,
        // One round: every call must join before the hub publishes, so the count is exact.
        measure: { concurrency: HUB_FANOUT, maxCalls: HUB_FANOUT, timeoutMs, callArgs: { stream: pick(HUB_FANOUT_EVENTS) } },
      },
    ];
  },
  warmup(mode: ScenarioMode): LoadPhase {
    return { concurrency: 1, durationMs: mode.quick ? 300 : 2_000, timeoutMs: 60_000, callArgs: { stream: mode.quick ? 2_000 : 10_000 } };
  },
  goals: [
    ratioGoal("Sluice (d) ≥ 1.5× grpc-js (c) msgs/s at 16 B and 1 KiB in every shape [issues 5, 12]", "d", "c", pairedMessagesPerSec, 1.5, SMALL_POINTS),
    ratioGoal("Sluice Observable (e) ≥ 0.9× Sluice AsyncIterable (d) msgs/s wherever it reads the answers [issue 12]", "e", "d", pairedMessagesPerSec, 0.9, OBSERVED_POINTS),
    byteRateGoal("Sluice (d) ≥ 0.95× the raw node:http2 ceiling's byte rate, server streaming 64 KiB [issue 12]", 0.95),
    slowConsumerRssGoal("Sluice (d): peak RSS with a slow consumer within 1.5× of the fast consumer's [issue 12]", "d", 1.5),
    slowConsumerRssGoal("Sluice Observable (e): peak RSS with a slow consumer within 1.5× of the fast consumer's [issue 12]", "e", 1.5),
    hubFanoutGoal("Hub over the wire: total msgs/s to 1,000 streaming calls ≥ 0.8× one call's [issue 12]", 0.8),
  ],
};

// The stream bench reads Observable (e) in AsyncIterable (d)'s process pair: which contenders share a
// pair, each one's call arguments reaching its phases, and the Sluice load generator's per-call style.
import { pairHosts, phaseFor } from "../../bench/src/harness/pair-plan.js";
import type { Contender, LoadPhase } from "../../bench/src/harness/scenario.js";
import { streamScenario } from "../../bench/src/scenarios/stream.js";
import { readingStyle } from "../../bench/src/contenders/call-args.js";
import { startServer } from "../../bench/src/contenders/sluice-server.js";
import { createCaller } from "../../bench/src/contenders/sluice-client.js";

const contender = (id: string): Contender => {
  const found = streamScenario.contenders.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no contender (${id})`);
  return found;
};
const group = streamScenario.interleaved!.contenders.map(contender);

describe("the stream scenario's process pairs", () => {
  it("runs (e) in (d)'s process pair, and (c), (d) and (r) each in its own", () => {
    expect(Object.fromEntries(pairHosts(group))).toEqual({ c: "c", d: "d", e: "d", r: "r" });
  });

  it("gives every phase of (e) the Observable reading style as a call argument, and (d)'s none", () => {
    const e = contender("e");
    const d = contender("d");
    for (const quick of [false, true]) {
      const points = streamScenario.points({ quick }).filter((p) => p.contenders?.includes("e") ?? true);
      const phases: LoadPhase[] = [streamScenario.warmup({ quick }), ...points.flatMap((p) => (p.warmup ? [p.warmup, p.measure] : [p.measure]))];
      expect(phases.length).toBeGreaterThan(8);
      for (const phase of phases) {
        expect(phaseFor(e, phase).callArgs).toEqual({ ...phase.callArgs, style: "observable" });
        expect(phaseFor(d, phase).callArgs.style).toBeUndefined();
      }
    }
  });

  it("measures (e)'s slow consumer in a fresh pair of its own, and only that point", () => {
    const points = streamScenario.points({ quick: false });
    expect(points.filter((p) => p.freshPairs?.includes("e")).map((p) => p.id)).toEqual(["slow"]);
  });

  it("gives (e) a pair of its own when (d) is not run with it", () => {
    expect(Object.fromEntries(pairHosts([contender("e"), contender("r")]))).toEqual({ e: "e", r: "r" });
  });

  it("refuses a guest whose processes would not be its host's", () => {
    const d = contender("d");
    const other: Contender = { ...contender("e"), client: { ...d.client, options: { protocol: "connect" } } };
    expect(() => pairHosts([d, other])).toThrow(/\(e\) runs in \(d\)'s process pair but names other processes/);
    const nested: Contender = { id: "x", label: "x", server: d.server, client: d.client, pairOf: "e" };
    expect(() => pairHosts([d, contender("e"), nested])).toThrow(/name the pair's owner/);
  });
});

describe("the Sluice load generator's reading style", () => {
  it("takes a call's style over the style it was started with", () => {
    expect(readingStyle({ style: "observable" }, "iterable")).toBe("observable");
    expect(readingStyle({ style: "iterable" }, "observable")).toBe("iterable");
    expect(readingStyle({}, "observable")).toBe("observable");
    expect(() => readingStyle({ style: "rx" }, "iterable")).toThrow(/option "style" must be one of iterable, observable/);
  });

  it("reads in the style each call asks for, on one running load generator and server (loopback)", async () => {
    const server = await startServer({ endpoints: 1 });
    const caller = await createCaller(server.ports, { protocol: "grpc" });
    try {
      expect(await caller.call({ shape: "server", stream: 300, style: "observable" })).toBe(300);
      expect(await caller.call({ shape: "bidi-pingpong", stream: 50, style: "observable" })).toBe(50);
      expect(await caller.call({ shape: "server", stream: 300 })).toBe(300);
      expect(await caller.call({ shape: "server", stream: 20, consumeDelayMs: 1, style: "observable" })).toBe(20);
      // The call's own argument is read: a style the load generator does not know fails that call.
      await expect(caller.call({ shape: "server", stream: 3, style: "rx" })).rejects.toThrow(/option "style"/);
    } finally {
      await caller.close();
      await server.close();
    }
  });
});

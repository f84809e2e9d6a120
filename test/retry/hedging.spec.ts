// End to end: hedged calls against real servers — a copy goes to another endpoint after the delay,
// the first answer wins and the losers are cancelled (their handlers see it), non-fatal codes hedge
// at once, fatal codes end the call, hedges spend the channel's budget, the delay can adapt.
import { Code, ConnectError } from "@connectrpc/connect";
import { createPolicyClient, type HedgePolicy, type PolicyTable } from "@sluice/runtime";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { channelTo, failWith, startBackends, fleetClosedAfterEach } from "./backends.js";
import { eventually } from "../support/inventory.js";

const hedge: HedgePolicy = { maxAttempts: 3, hedgingDelayMs: 50, nonFatalCodes: [Code.Unavailable] };

function policies(policy: HedgePolicy = hedge): PolicyTable<typeof EchoService> {
  const one = { idempotency: "no-side-effects" as const, hedge: policy };
  return { echo: one, serverStream: one, clientStream: { idempotency: "unknown" }, bidi: { idempotency: "unknown" } } as PolicyTable<typeof EchoService>;
}

describe("hedging", () => {
  const t = fleetClosedAfterEach();

  it("sends a copy to another endpoint after the delay, takes the first answer and cancels the loser on its server", async () => {
    t.backends = await startBackends(2);
    t.channel = await channelTo(t.backends, { balancer: "pick-first" });
    const client = createPolicyClient(EchoService, t.channel, policies({ ...hedge, maxAttempts: 2 }));
    const slow = t.backends[0];
    slow.extraDelayMs = 5000;
    const started = Date.now();
    const response = await client.echo({ text: "h" });
    expect(response.text).toBe("b1:h");
    expect(Date.now() - started).toBeLessThan(2500); // against a 5 s delay
    expect(t.backends[1].seen[0].previousAttempts).toBe("1");
    await eventually(() => slow.aborted === 1, 2000, "the losing handler saw its call cancelled");
    expect(t.channel.stats().attempts.hedgesCancelled).toBe(1);
  });

  it("hedges at once after a non-fatal code and fails at once on a fatal one", async () => {
    t.backends = await startBackends(2);
    t.backends[0].behaviour = failWith(Code.Unavailable);
    t.channel = await channelTo(t.backends, { balancer: "pick-first" });
    const client = createPolicyClient(EchoService, t.channel, policies({ ...hedge, hedgingDelayMs: 5000 }));
    const started = Date.now();
    expect((await client.echo({ text: "n" })).text).toBe("b1:n");
    expect(Date.now() - started).toBeLessThan(2500); // against a 5 s delay

    t.backends[0].behaviour = failWith(Code.InvalidArgument);
    const error = await client.echo({ text: "f" }).catch((e: unknown) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect(t.backends[1].seen.length).toBe(1);
  });

  it("hedges a server stream: the first stream to deliver a message wins, the other is cancelled", async () => {
    t.backends = await startBackends(2);
    t.channel = await channelTo(t.backends, { balancer: "pick-first" });
    const client = createPolicyClient(EchoService, t.channel, policies({ ...hedge, maxAttempts: 2 }));
    t.backends[0].extraDelayMs = 2000;
    const texts: string[] = [];
    for await (const m of client.serverStream({ text: "s", count: 2 })) texts.push(m.text);
    expect(texts).toEqual(["b1:s", "b1:s"]);
    await eventually(() => t.backends[0].aborted === 1, 3000, "the losing stream's handler saw its cancel");
    expect(t.channel.stats().attempts.hedgesCancelled).toBe(1);
  });

  it("spends the channel's budget: hedges stop when it is spent", async () => {
    t.backends = await startBackends(2);
    t.channel = await channelTo(t.backends, { retryBudget: { type: "windowed", percentCanRetry: 0.1, minRetriesPerSecond: 0 } });
    const client = createPolicyClient(EchoService, t.channel, policies({ ...hedge, maxAttempts: 2, hedgingDelayMs: 1 }));
    for (let i = 0; i < 40; i++) await client.echo({ text: "b", delayMs: 20 });
    const stats = t.channel.stats().attempts;
    // 40 requests deposit 4 hedges' worth; every call wanted one.
    expect(stats.hedges).toBeLessThanOrEqual(4);
    expect(stats.budgetExhausted).toBeGreaterThanOrEqual(36);
  });

  it("adapts the delay to the method's observed latency percentile", async () => {
    t.backends = await startBackends(2);
    t.channel = await channelTo(t.backends);
    const adaptive = { ...hedge, maxAttempts: 2, hedgingDelayMs: 1, adaptiveDelay: { percentile: 0.9, minSamples: 10 } };
    const client = createPolicyClient(EchoService, t.channel, policies(adaptive));
    // Until 10 samples exist the 1 ms fallback hedges nearly every 30 ms call; after that the
    // delay is ~p90 of 30 ms calls, so calls of 30 ms stop hedging.
    for (let i = 0; i < 12; i++) await client.echo({ text: "a", delayMs: 30 });
    const before = t.channel.stats().attempts.hedges;
    for (let i = 0; i < 20; i++) await client.echo({ text: "a", delayMs: 5 });
    expect(before).toBeGreaterThanOrEqual(10);
    expect(t.channel.stats().attempts.hedges - before).toBeLessThanOrEqual(2);
  });
});

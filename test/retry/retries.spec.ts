// End to end: the retry layer against real servers — retries move to other endpoints, stop at
// maxAttempts (capped at 5), honour pushback and deadlines, never retry committed calls or
// non-idempotent methods, replay client and bidi request streams within their bound, and the
// budget stops storms.
import { Code, ConnectError } from "@connectrpc/connect";
import { createPolicyClient, withAttemptPolicy, type PolicyTable, type RetryPolicy } from "@sluice/runtime";
import { EchoService } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { answer, attemptsSeen, channelTo, failWith, startBackends, fleetClosedAfterEach } from "./backends.js";

const retry: RetryPolicy = { maxAttempts: 3, initialBackoffMs: 5, maxBackoffMs: 20, backoffMultiplier: 2, retryableCodes: [Code.Unavailable] };

function policies(policy: RetryPolicy = retry, idempotency: "idempotent" | "unknown" = "idempotent"): PolicyTable<typeof EchoService> {
  const one = idempotency === "unknown" ? { idempotency } : { idempotency, retry: policy };
  return { echo: one, serverStream: one, clientStream: one, bidi: one } as PolicyTable<typeof EchoService>;
}

/** A request stream of `count` messages m0, m1, … each with a payload of `size` bytes. */
async function* requests(count: number, size: number) {
  for (let i = 0; i < count; i++) yield { text: `m${i}`, payload: new Uint8Array(size) };
}

async function failure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("the call succeeded");
}

describe("retries", () => {
  const t = fleetClosedAfterEach();

  it("sends each retry to another endpoint, with grpc-previous-rpc-attempts, and stops at maxAttempts", async () => {
    t.backends = await startBackends(3, failWith(Code.Unavailable));
    t.channel = await channelTo(t.backends);
    const client = createPolicyClient(EchoService, t.channel, policies());
    const error = await failure(client.echo({ text: "x" }));
    expect(error.code).toBe(Code.Unavailable);
    expect(t.backends.map((b) => b.seen.length)).toEqual([1, 1, 1]);
    const headers = t.backends.flatMap((b) => b.seen).sort((a, b) => a.at - b.at).map((s) => s.previousAttempts);
    expect(headers).toEqual([null, "1", "2"]);
    expect(t.channel.stats().attempts.retries).toBe(2);
  });

  it("succeeds on another endpoint when the first fails", async () => {
    t.backends = await startBackends(2);
    t.backends[0].behaviour = failWith(Code.Unavailable);
    t.channel = await channelTo(t.backends, { balancer: "pick-first" });
    const client = createPolicyClient(EchoService, t.channel, policies());
    const response = await client.echo({ text: "y" });
    expect(response.text).toBe("b1:y");
    expect(t.backends[0].seen.length).toBe(1);
  });

  it("counts maxAttempts above 5 as 5", async () => {
    t.backends = await startBackends(2, failWith(Code.Unavailable));
    t.channel = await channelTo(t.backends);
    const client = createPolicyClient(EchoService, t.channel, policies({ ...retry, maxAttempts: 9, initialBackoffMs: 1, maxBackoffMs: 2 }));
    await failure(client.echo({ text: "x" }));
    expect(attemptsSeen(t.backends)).toBe(5);
  });

  it("does not retry codes outside retryableCodes, methods of unknown idempotency, or calls that turn retries off", async () => {
    t.backends = await startBackends(2, failWith(Code.Internal));
    t.channel = await channelTo(t.backends);
    expect((await failure(createPolicyClient(EchoService, t.channel, policies()).echo({ text: "x" }))).code).toBe(Code.Internal);
    expect(attemptsSeen(t.backends)).toBe(1);
    for (const b of t.backends) b.behaviour = failWith(Code.Unavailable);
    await failure(createPolicyClient(EchoService, t.channel, policies(retry, "unknown")).echo({ text: "x" }));
    expect(attemptsSeen(t.backends)).toBe(2);
    await failure(createPolicyClient(EchoService, t.channel, policies()).echo({ text: "x" }, { contextValues: withAttemptPolicy({ retry: null }) }));
    expect(attemptsSeen(t.backends)).toBe(3);
  });

  it("retries per call when the call gives its own policy", async () => {
    t.backends = await startBackends(2, failWith(Code.Unavailable));
    t.channel = await channelTo(t.backends);
    const client = createPolicyClient(EchoService, t.channel, policies(retry, "unknown"));
    // A method of unknown idempotency cannot be made to retry…
    await expect(client.echo({ text: "x" }, { contextValues: withAttemptPolicy({ retry }) })).rejects.toThrow(/call.retry: needs an idempotent method/);
    const idempotent = createPolicyClient(EchoService, t.channel, policies());
    await failure(idempotent.echo({ text: "x" }, { contextValues: withAttemptPolicy({ retry: { ...retry, maxAttempts: 2 } }) }));
    expect(attemptsSeen(t.backends)).toBe(2);
  });

  it("waits the server's pushback instead of the backoff, and stops on a negative pushback", async () => {
    t.backends = await startBackends(2, failWith(Code.Unavailable, { "grpc-retry-pushback-ms": "300" }));
    t.channel = await channelTo(t.backends);
    const client = createPolicyClient(EchoService, t.channel, policies({ ...retry, maxAttempts: 2 }));
    await failure(client.echo({ text: "x" }));
    const times = t.backends.flatMap((b) => b.seen.map((s) => s.at)).sort((a, b) => a - b);
    expect(times).toHaveLength(2);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(290);

    for (const b of t.backends) b.behaviour = failWith(Code.Unavailable, { "grpc-retry-pushback-ms": "-1" });
    await failure(client.echo({ text: "x" }));
    expect(attemptsSeen(t.backends)).toBe(3);
    expect(t.channel.stats().attempts.pushbackStops).toBe(1);
  });

  it("keeps every attempt and backoff within the call's deadline", async () => {
    t.backends = await startBackends(2, failWith(Code.Unavailable));
    t.channel = await channelTo(t.backends);
    const client = createPolicyClient(EchoService, t.channel, policies({ ...retry, maxAttempts: 5, initialBackoffMs: 400, maxBackoffMs: 400 }));
    // Waiting out the 400 ms backoff would end the call with the deadline's code; giving up at once
    // returns the attempt's own error.
    const error = await failure(client.echo({ text: "x" }, { timeoutMs: 300 }));
    expect(error.code).toBe(Code.Unavailable);
    expect(attemptsSeen(t.backends)).toBe(1);
  });

  it("retries a server stream that fails before its first message, not one that failed after it", async () => {
    t.backends = await startBackends(2, failWith(Code.Unavailable));
    t.channel = await channelTo(t.backends);
    const client = createPolicyClient(EchoService, t.channel, policies());
    const read = async (count: number): Promise<number> => {
      let got = 0;
      for await (const _ of client.serverStream({ text: "s", count })) got++;
      return got;
    };
    await failure(read(0));
    expect(attemptsSeen(t.backends)).toBe(3);
    const committed = await failure(read(1));
    expect(committed.code).toBe(Code.Unavailable);
    expect(attemptsSeen(t.backends)).toBe(4);
  });

  /** Two backends behind pick-first, the first failing every call with UNAVAILABLE. */
  async function firstFailing() {
    t.backends = await startBackends(2);
    t.backends[0].behaviour = failWith(Code.Unavailable);
    t.channel = await channelTo(t.backends, { balancer: "pick-first" });
    return { client: createPolicyClient(EchoService, t.channel, policies()), channel: t.channel };
  }

  it("replays a client stream to the next endpoint, and does not retry one past the 1 MiB bound", async () => {
    const { client, channel } = await firstFailing();
    const response = await client.clientStream(requests(3, 10));
    expect(response.text).toBe("b1:m0,m1,m2");
    const big = await failure(client.clientStream(requests(12, 100 * 1024)));
    expect(big.code).toBe(Code.Unavailable);
    expect(t.backends[0].seen.length).toBe(2);
    expect(t.backends[1].seen.length).toBe(1);
    expect(channel.stats().attempts.replayOverflows).toBe(1);
  });

  it("replays a bidi stream's messages to the next endpoint when the first fails before answering, and not past the 1 MiB bound", async () => {
    const { client, channel } = await firstFailing();
    const read = async (count: number, size: number): Promise<string[]> => {
      const texts: string[] = [];
      for await (const response of client.bidi(requests(count, size))) texts.push(response.text);
      return texts;
    };
    expect(await read(3, 10)).toEqual(["b1:m0", "b1:m1", "b1:m2"]);
    expect(t.backends.map((b) => b.seen.map((s) => [s.text, s.previousAttempts]))).toEqual([[["m0,m1,m2", null]], [["m0,m1,m2", "1"]]]);
    expect(channel.stats().attempts.retries).toBe(1);

    const big = await failure(read(12, 100 * 1024));
    expect(big.code).toBe(Code.Unavailable);
    expect(t.backends.map((b) => b.seen.length)).toEqual([2, 1]);
    expect(channel.stats().attempts.replayOverflows).toBe(1);
    expect(channel.stats().attempts.retries).toBe(1);
  });

  it("does not hold up a retried bidi caller that sends its next message only after reading an answer", async () => {
    t.backends = await startBackends(1);
    t.channel = await channelTo(t.backends);
    const client = createPolicyClient(EchoService, t.channel, policies());
    const answers: string[] = [];
    let answered: () => void = () => {};
    async function* pingPong() {
      for (let i = 0; i < 3; i++) {
        const next = new Promise<void>((resolve) => (answered = resolve));
        yield { text: `ping${i}` };
        await next;
      }
    }
    for await (const response of client.bidi(pingPong())) {
      answers.push(response.text);
      answered();
    }
    expect(answers).toEqual(["b0:ping0", "b0:ping1", "b0:ping2"]);
  });

  it("stops a retry storm: against a server failing every call, attempts stay within 1.2 × calls + the budget's minimum", async () => {
    t.backends = await startBackends(1, failWith(Code.Unavailable));
    t.channel = await channelTo(t.backends);
    const client = createPolicyClient(EchoService, t.channel, policies({ ...retry, maxAttempts: 5, initialBackoffMs: 1, maxBackoffMs: 2 }));
    const calls = 600;
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < calls) {
        next++;
        await failure(client.echo({ text: "storm" }));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    // minRetriesPerSecond × window seconds, per 10 s window the storm lasted: on a machine so busy
    // that the 600 calls outlast one window, each later window brings its own reserve (and the
    // withdrawals of the first one age out with it).
    const windows = Math.max(1, Math.ceil((performance.now() - started) / 10_000));
    const minimum = 10 * 10 * windows;
    expect(attemptsSeen(t.backends)).toBeLessThanOrEqual(1.2 * calls + minimum);
    const stats = t.channel.stats().attempts;
    expect(stats.budgetExhausted).toBeGreaterThan(0);
    expect(stats.budget.refused).toBe(stats.budgetExhausted);
    expect(attemptsSeen(t.backends)).toBe(calls + stats.retries);
  });

  it("stops retrying once gRPC's token throttling runs low", async () => {
    t.backends = await startBackends(1, failWith(Code.Unavailable));
    t.channel = await channelTo(t.backends, { retryBudget: { type: "throttling", maxTokens: 10, tokenRatio: 0.1 } });
    const client = createPolicyClient(EchoService, t.channel, policies({ ...retry, maxAttempts: 5, initialBackoffMs: 1, maxBackoffMs: 2 }));
    for (let i = 0; i < 20; i++) await failure(client.echo({ text: "t" }));
    // Tokens 10 → retries granted while tokens > 5: at most 5 failures drain it.
    expect(attemptsSeen(t.backends)).toBeLessThanOrEqual(20 + 5);
    expect(t.channel.stats().attempts.budget.type).toBe("throttling");
  });

  it("names the field of a bad retry budget when the t.channel is made", async () => {
    t.backends = await startBackends(1, answer);
    await expect(channelTo(t.backends, { retryBudget: { type: "windowed", percentCanRetry: -1 } })).rejects.toThrow(/retryBudget.percentCanRetry/);
  });
});

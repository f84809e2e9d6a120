// The balancing faults found when trying the channel: a long stream must not make its endpoint look
// slow to peak-EWMA, an endpoint that fails fast must not draw more than its share, and a picker a
// user registers by name works through createChannel.
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import {
  createChannel,
  createPolicyClient,
  registerPicker,
  serve,
  type Channel,
  type PolicyTable,
  type Server,
} from "@sluice/runtime";
import { EchoService, type EchoRequest } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { echoImpl } from "../fast-path/echo-service.js";

const policies = {} as PolicyTable<typeof EchoService>;

/** A server named `name` whose unary calls are counted in `counts`; `failFast` answers RESOURCE_EXHAUSTED at once. */
async function countingServer(name: string, counts: Map<string, number>, options: { failFast?: boolean; delayMs?: number } = {}): Promise<Server> {
  const base = echoImpl();
  return serve({
    host: "127.0.0.1",
    routes: (router) =>
      router.service(EchoService, {
        ...base,
        async echo(request: EchoRequest, context: HandlerContext) {
          counts.set(name, (counts.get(name) ?? 0) + 1);
          if (options.failFast === true) throw new ConnectError(`${name} is overloaded`, Code.ResourceExhausted);
          await new Promise((r) => setTimeout(r, options.delayMs ?? 2));
          return base.echo(request, context);
        },
        async *serverStream(request: EchoRequest) {
          counts.set(`${name}:stream`, (counts.get(`${name}:stream`) ?? 0) + 1);
          // The first message at once, then one every delayMs: a long-lived stream, not a slow endpoint.
          for (let i = 0; i < request.count; i++) {
            if (i > 0) await new Promise((r) => setTimeout(r, request.delayMs));
            yield { text: request.text, index: i };
          }
        },
      }),
  });
}

async function withChannel(servers: Server[], balancer: string, run: (channel: Channel) => Promise<void>): Promise<void> {
  const channel = createChannel({ target: `static:///${servers.map((s) => `127.0.0.1:${s.port}`).join(",")}`, balancer, outlierDetection: false });
  try {
    await channel.waitForReady({ endpoints: "all", timeoutMs: 5000 });
    await run(channel);
  } finally {
    await channel.close(500);
    await Promise.all(servers.map((s) => s.close()));
  }
}

describe("balancing faults", () => {
  it("a 3 s stream does not become its endpoint's latency estimate under peak-EWMA", async () => {
    const counts = new Map<string, number>();
    const servers = [await countingServer("a", counts), await countingServer("b", counts)];
    await withChannel(servers, "peak-ewma", async (channel) => {
      const client = createPolicyClient(EchoService, channel, policies);
      // Warm both endpoints' estimates with unary calls.
      for (let i = 0; i < 40; i++) await client.echo({ text: "w" });
      let messages = 0;
      for await (const _ of client.serverStream({ text: "s", count: 30, delayMs: 100 })) messages++;
      expect(messages).toBe(30);
      const streamedOn = counts.has("a:stream") ? "a" : "b";
      const address = `127.0.0.1:${servers[streamedOn === "a" ? 0 : 1]!.port}`;
      // Before the fix the stream's whole 3 s lifetime became the endpoint's estimate (and the next
      // 200 unary calls all went to the other endpoint); now it records at most its time to headers.
      // (A share of the following calls is not asserted here: with two endpoints, one client-side
      // stall in any sample starves an endpoint under peak-EWMA whatever streams do; the balance
      // bench's `stream` point measures the share.)
      const estimate = channel.stats().endpoints.find((e) => e.address === address)!.latencyEwmaMs!;
      expect(estimate).toBeLessThan(1000);
    });
  }, 30_000);

  it.each(["peak-ewma", "least-request"])("under %s a fast-failing endpoint of four gets at most its fair share (25 %%)", async (balancer) => {
    const counts = new Map<string, number>();
    const servers = [
      await countingServer("ok-0", counts),
      await countingServer("ok-1", counts),
      await countingServer("ok-2", counts),
      await countingServer("bad", counts, { failFast: true }),
    ];
    await withChannel(servers, balancer, async (channel) => {
      const client = createPolicyClient(EchoService, channel, policies);
      let failed = 0;
      const caller = async (): Promise<void> => {
        for (let i = 0; i < 100; i++) await client.echo({ text: "x" }).catch(() => failed++);
      };
      await Promise.all(Array.from({ length: 8 }, caller));
      const total = [...counts.entries()].filter(([k]) => !k.includes(":")).reduce((sum, [, n]) => sum + n, 0);
      expect(total).toBe(800);
      const badShare = (counts.get("bad") ?? 0) / total;
      // Before the fix the failing endpoint looked fast and idle: 88 % (peak-EWMA) / 77 % (least-request).
      expect(badShare).toBeLessThanOrEqual(0.25);
      expect(failed).toBe(counts.get("bad") ?? 0);
    });
  }, 30_000);

  it("a picker registered by name, and by { policy, options }, balances a channel's calls", async () => {
    const seen: string[] = [];
    registerPicker("test-last-of-ready", (options) => {
      const offset = typeof options.offset === "number" ? options.offset : 0;
      return {
        name: "test-last-of-ready",
        build(ready) {
          const sorted = [...ready].sort((x, y) => x.address.localeCompare(y.address));
          return {
            pick() {
              const chosen = sorted[Math.max(0, sorted.length - 1 - offset)];
              if (chosen !== undefined) seen.push(chosen.address);
              return chosen;
            },
          };
        },
      };
    });
    const counts = new Map<string, number>();
    const servers = [await countingServer("p", counts), await countingServer("q", counts), await countingServer("r", counts)];
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`).sort();
    const target = `static:///${addresses.join(",")}`;
    for (const [balancer, expected] of [
      ["test-last-of-ready", addresses[2]],
      [{ policy: "test-last-of-ready", options: { offset: 1 } }, addresses[1]],
    ] as const) {
      seen.length = 0;
      const channel = createChannel({ target, balancer });
      try {
        await channel.waitForReady({ endpoints: "all", timeoutMs: 5000 });
        const client = createPolicyClient(EchoService, channel, policies);
        for (let i = 0; i < 10; i++) await client.echo({ text: "p" });
        expect(new Set(seen.slice(-10))).toEqual(new Set([expected]));
        expect(channel.stats().policy).toBe("test-last-of-ready");
      } finally {
        await channel.close(500);
      }
    }
    await Promise.all(servers.map((s) => s.close()));
  });

  it("an unknown balancer name is refused naming the registered ones", () => {
    registerPicker("test-named-in-errors", () => ({ name: "test-named-in-errors", build: (ready) => ({ pick: () => ready[0] }) }));
    expect(() => createChannel({ target: "static:///127.0.0.1:1", balancer: "no-such-policy" })).toThrow(
      /^balancer: unknown balancing policy "no-such-policy"; accepted: pick-first, .*ring-hash, .*test-named-in-errors/,
    );
    expect(() => registerPicker("round-robin", () => ({ name: "x", build: (ready) => ({ pick: () => ready[0] }) }))).toThrow(/built-in/);
  });
});

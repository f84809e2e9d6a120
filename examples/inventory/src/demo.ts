// The demo (`npm start [-- --etcd host:port]`): a fleet of inventory servers on loopback, one of them
// slow, found through discovery; a generated client drives load with each balancing policy, a live
// stream of stock updates runs through one server's event hub, then the fleet is restarted server
// by server under load, and the demo prints what happened.
import { parseArgs } from "node:util";
import { build as buildHistogram } from "hdr-histogram-js";
import { createChannel, type Channel } from "@sluice/runtime";
import { createInventoryServiceClient } from "../gen/inventory/v1/inventory_sluice.js";
import { startFleet, type Fleet } from "./fleet.js";
import { tourOfShapes } from "./tour.js";
import { rollingRestart } from "./rolling-restart.js";
import { formatTable, progressLine } from "./report.js";
import { runLiveStream } from "./live-stream.js";
import { runCachePhase } from "./cache-phase.js";
import { runOverloadBurst } from "./overload-phase.js";

const phaseSeconds = Number(process.env.SLUICE_DEMO_SECONDS ?? 3);
const concurrency = 16;
const warmupSeconds = Number(process.env.SLUICE_DEMO_WARMUP_SECONDS ?? 2);
const policies = ["round-robin", "least-request", "peak-ewma"] as const;

interface PhaseResult {
  readonly policy: string;
  readonly calls: number;
  readonly errors: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly share: Map<string, number>;
}

async function runPhase(fleet: Fleet, policy: (typeof policies)[number]): Promise<PhaseResult> {
  const channel: Channel = createChannel({ target: fleet.target, ...fleet.channelOptions, balancer: policy });
  const client = createInventoryServiceClient(channel, undefined, { cache: false });
  await channel.waitForReady(10_000);
  const histogram = buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const share = new Map<string, number>();
  let calls = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + phaseSeconds * 1000;
  const isTty = process.stdout.isTTY === true;
  let lastPrinted = 0;
  const ticker = setInterval(() => {
    const elapsed = (performance.now() - started) / 1000;
    const line = progressLine(policy, Math.min(elapsed, phaseSeconds), phaseSeconds, calls, channel.stats(), fleet);
    if (isTty) {
      process.stdout.write(`\r${line}`);
    } else if (elapsed - lastPrinted >= 1) {
      lastPrinted = elapsed;
      console.log(line);
    }
  }, 100);
  const worker = async (id: number): Promise<void> => {
    for (let i = 0; performance.now() < deadline && i < 1_000_000; i++) {
      const sku = `sku-${String((id * 7919 + i) % 100).padStart(4, "0")}`;
      const t0 = performance.now();
      try {
        const response = await client.getItem({ sku });
        histogram.recordValue(Math.round((performance.now() - t0) * 1000));
        share.set(response.servedBy, (share.get(response.servedBy) ?? 0) + 1);
        calls++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, id) => worker(id)));
  clearInterval(ticker);
  const seconds = (performance.now() - started) / 1000;
  const line = progressLine(policy, phaseSeconds, phaseSeconds, calls, channel.stats(), fleet);
  process.stdout.write(isTty ? `\r${line}\n` : `${line}\n`);
  await channel.close();
  const result = {
    policy,
    calls,
    errors,
    seconds,
    p50: histogram.getValueAtPercentile(50) / 1000,
    p99: histogram.getValueAtPercentile(99) / 1000,
    share,
  };
  histogram.destroy();
  return result;
}

/** Unmeasured load over every server, so JIT and connections are warm before the phases. */
async function warmUp(fleet: Fleet, seconds: number): Promise<void> {
  const channel = createChannel({ target: fleet.target, ...fleet.channelOptions, balancer: "round-robin" });
  const client = createInventoryServiceClient(channel, undefined, { cache: false });
  await channel.waitForReady(10_000);
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = 0; performance.now() < deadline && i < 1_000_000; i++) {
        await client.getItem({ sku: "sku-0001" }).catch(() => undefined);
      }
    }),
  );
  await channel.close();
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { etcd: { type: "string" } } });
  const members = [
    { name: "server-1" },
    { name: "server-2" },
    { name: "server-3" },
    { name: "server-4-slow", delayMs: 20 },
  ];
  console.log(`Sluice demo: ${members.length} inventory servers on 127.0.0.1, one answers 20 ms slower.`);
  const fleet = await startFleet(members, { etcd: values.etcd });
  try {
    console.log(`fleet: ${fleet.members.map((m, i) => `${m.name}=${fleet.addresses[i]}`).join("  ")}, found through ${fleet.discovery} (${fleet.target})\n`);
    const tourChannel = createChannel({ target: fleet.target, ...fleet.channelOptions });
    await tourChannel.waitForReady({ endpoints: members.length, timeoutMs: 10_000 });
    for (const line of await tourOfShapes(createInventoryServiceClient(tourChannel, undefined, { cache: false }))) console.log(`  ${line}`);
    await tourChannel.close();
    // Fresh node processes run at about half speed for their first seconds: warm the fleet up
    // before measuring, so the first policy is not judged on a cold fleet.
    console.log(`\nwarming up the fleet for ${warmupSeconds} s …`);
    await warmUp(fleet, warmupSeconds);
    console.log(`\nGetItem load: ${concurrency} concurrent callers, ${phaseSeconds} s per balancing policy\n`);
    const results: PhaseResult[] = [];
    for (const policy of policies) results.push(await runPhase(fleet, policy));
    console.log("");
    console.log(
      formatTable(
        ["policy", "calls", "errors", "req/s", "p50 ms", "p99 ms", ...members.map((m) => `% ${m.name}`)],
        results.map((r) => [
          r.policy,
          String(r.calls),
          String(r.errors),
          (r.calls / r.seconds).toFixed(0),
          r.p50.toFixed(2),
          r.p99.toFixed(2),
          ...members.map((m) => (((r.share.get(m.name) ?? 0) / Math.max(1, r.calls)) * 100).toFixed(1)),
        ]),
      ),
    );
    const slow = members[members.length - 1]?.name ?? "";
    const rr = results.find((r) => r.policy === "round-robin");
    const ewma = results.find((r) => r.policy === "peak-ewma");
    if (rr !== undefined && ewma !== undefined) {
      const pct = (r: PhaseResult): string => (((r.share.get(slow) ?? 0) / Math.max(1, r.calls)) * 100).toFixed(1);
      console.log(
        `\npeak-ewma sent ${pct(ewma)} % of calls to ${slow} (round-robin: ${pct(rr)} %); p99 ${ewma.p99.toFixed(1)} ms vs ${rr.p99.toFixed(1)} ms.`,
      );
    }
    console.log(`\nGetItem through the response cache the .proto declares (TTL 2 s, W-TinyLFU), skewed skus, ${phaseSeconds} s`);
    const cached = await runCachePhase(fleet.target, fleet.channelOptions, phaseSeconds, concurrency);
    const lookups = cached.hits + cached.staleServed + cached.misses + cached.coalesced;
    const saved = cached.hits + cached.staleServed + cached.coalesced;
    console.log(
      `cache: ${cached.calls} calls (${(cached.calls / cached.seconds).toFixed(0)} req/s), hit ratio ${(((cached.hits + cached.staleServed) / Math.max(1, lookups)) * 100).toFixed(1)} %, ` +
        `${saved} calls saved (${cached.hits} hits, ${cached.coalesced} coalesced, ${cached.staleServed} served stale while refreshed), ` +
        `${cached.misses} went to the fleet; ${cached.errors} failed.`,
    );
    const watchers = 50;
    console.log(`\nlive stock stream: ${watchers} WatchStock Observables on ${members[0]!.name}, UpdateStock writing changes, fanned out by its event hub`);
    const live = await runLiveStream({
      target: `static:///${fleet.addresses[0]!}`,
      seconds: phaseSeconds,
      watchers,
      onTick: (t) =>
        console.log(
          `  ${t.elapsedSeconds.toFixed(1)} s  ${t.deliveredPerSecond.toFixed(0)} stock levels/s delivered ` +
            `(${(t.deliveredPerSecond / watchers).toFixed(0)} changes/s fanned out to each watcher; writer sent ${t.changesPerSecond.toFixed(0)}/s)`,
        ),
    });
    console.log(
      `live stream: ${live.deliveredPerSecond.toFixed(0)} messages/s delivered to ${live.watchers} watchers ` +
        `(${(live.deliveredPerSecond / live.watchers).toFixed(0)} changes/s each; writer sent ${live.changesPerSecond.toFixed(0)}/s, ` +
        `HTTP/2 flow control holding back what the server had not read); ${live.endedSlow} ended as slow consumers, ${live.failed} failed.`,
    );
    console.log(`\noverload burst: a server that works on 8 calls at once (20 ms each) behind serve({ limits: gradient2 }), offered 3× that for ${Math.min(phaseSeconds, 2)} s`);
    const burst = await runOverloadBurst(Math.min(phaseSeconds, 2), 8, 20, 3);
    console.log(
      `overload: ${burst.offered} calls offered, ${burst.served} served (median ${burst.servedP50Ms.toFixed(1)} ms), ${burst.shed} shed at once ` +
        `with RESOURCE_EXHAUSTED (median ${burst.shedP50Ms.toFixed(1)} ms), ${burst.failed} ran past their 2 s deadline; adapted limit ${burst.limit}.`,
    );
    console.log(`\nrolling restart: each server is stopped (SIGTERM: deregister, GOAWAY, finish calls) and replaced on a new port, under load`);
    const restart = await rollingRestart(fleet, concurrency);
    console.log(
      `rolling restart: ${members.length} servers replaced in ${restart.seconds.toFixed(1)} s; ${restart.getItem} GetItem (retried if needed) and ` +
        `${restart.putItem} PutItem (never retried) calls, ${restart.failures.length} failed` +
        `${restart.retries > 0 ? `; ${restart.retries} GetItem retries` : ""}.`,
    );
    for (const failure of restart.failures.slice(0, 5)) console.error(`  failed: ${failure}`);
    // The burst's shed and late calls are what overload looks like, not failures of the demo.
    const failed = results.reduce((n, r) => n + r.errors, 0) + cached.errors + live.failed + restart.failures.length;
    if (failed > 0) {
      process.exitCode = 1;
      console.error(`${failed} calls failed`);
    }
  } finally {
    await fleet.stop();
  }
}

await main();

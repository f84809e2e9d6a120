// Measures bidi ping-pong (one message in flight) between a Sluice client and a Sluice server in a
// child process, on loopback: round trips per second and CPU µs per message on each side.
// `node bench/dist/src/tools/pingpong-rate.js [bytes] [messages per call] [seconds]`
import { createHook } from "node:async_hooks";
import { create } from "@bufbuild/protobuf";
import { createChannel, serve } from "@sluice/runtime";
import { EchoRequestSchema, EchoService } from "../../gen/bench/v1/echo_pb.js";
import { createEchoServiceClient } from "../../gen/bench/v1/echo_sluice.js";
import { echoServiceImpl } from "../contenders/echo-service.js";
import { pingPong } from "../contenders/request-sources.js";
import { makePayload } from "../harness/contracts.js";
import { forkServer } from "./forked-server.js";

/** Async resources created so far by type, counted when PINGPONG_COUNT=1 (costs time: not for rates). */
const created = new Map<string, number>();
if (process.env.PINGPONG_COUNT === "1") {
  createHook({ init: (_id, type) => void created.set(type, (created.get(type) ?? 0) + 1) }).enable();
}
/** Where async resources are created (PINGPONG_STACKS=1): three frames of the stack of each, counted. */
const sites = new Map<string, number>();
const siteHook = createHook({
  init(_id, type) {
    const frames = (new Error().stack ?? "").split("\n").slice(3).filter((l) => !l.includes("node:internal/async_hooks"));
    const key = `${type} ${frames.slice(0, 3).map((l) => l.trim().replace(/^at /, "").replace(/\(?file:\/\/\/work\/[^/]+\//, "(")).join(" < ")}`;
    sites.set(key, (sites.get(key) ?? 0) + 1);
  },
});
/** The sites counted while `run` ran, per message, most first. */
async function sitesDuring(messages: number, run: () => Promise<unknown>): Promise<string[]> {
  sites.clear();
  siteHook.enable();
  await run();
  siteHook.disable();
  return [...sites].sort((a, b) => b[1] - a[1]).filter(([, n]) => n >= messages / 2).map(([k, n]) => `${(n / messages).toFixed(2)} ${k}`);
}

/** A copy of {@link created}. */
const snapshot = (): Map<string, number> => new Map(created);
/** What was created between `before` and now, per message. */
function perMessage(before: Map<string, number>, messages: number): string {
  return [...created].map(([type, n]) => `${type} ${((n - (before.get(type) ?? 0)) / messages).toFixed(2)}`).join(", ");
}

/** The server side: serves EchoService, reports its port, answers "cpu" with its CPU time in µs. */
async function runServer(): Promise<void> {
  const server = await serve({ port: 0, host: "127.0.0.1", shutdownGraceMs: 0, routes: (r) => r.service(EchoService, echoServiceImpl) });
  process.send?.({ port: server.port });
  process.on("message", (m: string) => {
    if (m === "sites-start") {
      sites.clear();
      siteHook.enable();
    } else if (m === "sites-stop") {
      siteHook.disable();
      process.send?.({ sites: [...sites] });
    } else if (m === "cpu") {
      const u = process.cpuUsage();
      process.send?.({ cpu: u.user + u.system, created: [...created] });
    } else {
      void server.close().then(() => process.exit(0));
    }
  });
}

type Reply = { port?: number; cpu?: number; created?: [string, number][]; sites?: [string, number][] };

/** The client side: forks the server, runs ping-pong calls back to back and prints the figures. */
async function runClient(bytes: number, perCall: number, seconds: number): Promise<void> {
  const server = forkServer<Reply>(new URL(import.meta.url).pathname, ["server"]);
  const { port } = await server.next();
  const channel = createChannel({ target: `static:///127.0.0.1:${port}` });
  const client = createEchoServiceClient(channel);
  const request = create(EchoRequestSchema, { payload: makePayload(bytes) });
  const oneCall = async (): Promise<number> => {
    const exchange = pingPong(request, perCall);
    let received = 0;
    for await (const _ of client.echoBidi(exchange.requests)) {
      received++;
      exchange.answered();
    }
    return received;
  };
  const runFor = async (ms: number): Promise<number> => {
    const until = performance.now() + ms;
    let messages = 0;
    while (performance.now() < until) messages += await oneCall();
    return messages;
  };
  await runFor(1500); // warm-up: the JIT compiles both sides
  if (process.env.PINGPONG_STACKS === "1") {
    server.child.send("sites-start");
    const client = await sitesDuring(perCall, oneCall);
    const serverSites = ((await server.ask("sites-stop")).sites ?? []).sort((a, b) => b[1] - a[1]).filter(([, n]) => n >= perCall / 2);
    console.log(`client, per message:\n  ${client.join("\n  ")}\nserver, per message:\n  ${serverSites.map(([k, n]) => `${(n / perCall).toFixed(2)} ${k}`).join("\n  ")}`);
  }
  const rounds: string[] = [];
  for (let round = 0; round < 3; round++) {
    const serverBefore = await server.ask("cpu");
    const clientBefore = process.cpuUsage();
    const createdBefore = snapshot();
    const started = performance.now();
    const messages = await runFor(seconds * 1000);
    const wall = (performance.now() - started) / 1000;
    const clientCpu = process.cpuUsage(clientBefore);
    const clientCreated = perMessage(createdBefore, messages);
    const serverAfter = await server.ask("cpu");
    rounds.push(
      `${Math.round(messages / wall)} msgs/s, CPU µs/msg client ${((clientCpu.user + clientCpu.system) / messages).toFixed(1)} ` +
        `server ${(((serverAfter.cpu ?? 0) - (serverBefore.cpu ?? 0)) / messages).toFixed(1)}`,
    );
    if (process.env.PINGPONG_COUNT === "1") {
      const before = new Map(serverBefore.created);
      const serverCreated = (serverAfter.created ?? []).map(([type, n]) => `${type} ${((n - (before.get(type) ?? 0)) / messages).toFixed(2)}`);
      rounds.push(`  created per message: client ${clientCreated}; server ${serverCreated.join(", ")}`);
    }
  }
  console.log(`ping-pong ${bytes} B, ${perCall} per call, ${seconds} s × 3:\n  ${rounds.join("\n  ")}`);
  await channel.close();
  server.child.send("close");
}

if (process.argv[2] === "server") {
  void runServer();
} else {
  void runClient(Number(process.argv[2] ?? 16), Number(process.argv[3] ?? 5000), Number(process.argv[4] ?? 2));
}

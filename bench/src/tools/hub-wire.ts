// Measures the event hub over the wire as the stream scenario's hub rows do, without the harness: the
// bench hub server in a child process, N EchoStream calls on one connection, total msgs/s and CPU.
// `node bench/dist/src/tools/hub-wire.js [calls] [events per call] [rounds]`
import { create } from "@bufbuild/protobuf";
import { createChannel } from "@sluice/runtime";
import { EchoStreamRequestSchema } from "../../gen/bench/v1/echo_pb.js";
import { createEchoServiceClient } from "../../gen/bench/v1/echo_sluice.js";
import { startServer } from "../contenders/sluice-hub-server.js";
import { makePayload } from "../harness/contracts.js";
import { answerParent, forkServer } from "./forked-server.js";

type Reply = { port?: number; cpu?: number };

/** The server side: the hub server, configured for `subscribers` calls per round; answers "cpu". */
async function runServer(subscribers: number): Promise<void> {
  const server = await startServer({});
  server.configure?.({ subscribers });
  answerParent(server);
}

/** The client side: rounds of `calls` concurrent calls of `events` events each. */
async function runClient(calls: number, events: number, rounds: number): Promise<void> {
  const server = forkServer<Reply>(new URL(import.meta.url).pathname, ["server", String(calls)]);
  const { port } = await server.next();
  const channel = createChannel({ target: `static:///127.0.0.1:${port}` });
  const client = createEchoServiceClient(channel);
  const request = create(EchoStreamRequestSchema, { count: events, payload: makePayload(16) });
  /** Per round: when the calls had all been started, and when each got its first event. */
  let firstEvents = 0;
  let allStartedAt = 0;
  let allFirstAt = 0;
  let cpuAtAllFirst = process.cpuUsage();
  const oneCall = async (): Promise<number> => {
    let received = 0;
    for await (const _ of client.echoStream(request)) {
      if (received++ === 0 && ++firstEvents === calls) {
        // Every call has joined (the hub publishes only then) and has its first event.
        allFirstAt = performance.now();
        cpuAtAllFirst = process.cpuUsage();
      }
    }
    return received;
  };
  const lines: string[] = [];
  for (let round = 0; round <= rounds; round++) {
    const serverBefore = (await server.ask("cpu")).cpu ?? 0;
    const clientBefore = process.cpuUsage();
    const started = performance.now();
    firstEvents = 0;
    const pending = Array.from({ length: calls }, oneCall);
    allStartedAt = performance.now();
    const counts = await Promise.all(pending);
    const wall = (performance.now() - started) / 1000;
    const clientCpu = process.cpuUsage(clientBefore);
    const serverAfter = (await server.ask("cpu")).cpu ?? 0;
    const messages = counts.reduce((a, b) => a + b, 0);
    if (messages !== calls * events) throw new Error(`expected ${calls * events} messages, got ${messages}`);
    // Round 0 warms the JIT up and is not shown.
    if (round > 0) {
      lines.push(
        `${Math.round(messages / wall)} msgs/s, CPU µs/msg client ${((clientCpu.user + clientCpu.system) / messages).toFixed(2)} ` +
          `server ${((serverAfter - serverBefore) / messages).toFixed(2)}; calls started in ${(allStartedAt - started).toFixed(1)} ms, ` +
          `all had their first event at ${(allFirstAt - started).toFixed(0)} ms (client CPU µs/call until then ` +
          `${((cpuAtAllFirst.user + cpuAtAllFirst.system - clientBefore.user - clientBefore.system) / calls).toFixed(0)})`,
      );
    }
  }
  console.log(`hub over the wire: ${calls} calls × ${events} events:\n  ${lines.join("\n  ")}`);
  await channel.close();
  server.child.send("close");
}

if (process.argv[2] === "server") {
  void runServer(Number(process.argv[3] ?? 1));
} else {
  void runClient(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 3000), Number(process.argv[4] ?? 3));
}

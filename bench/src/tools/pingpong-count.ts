// A fixed amount of bidi ping-pong between a Sluice client and a Sluice server in a child process, for
// counting instructions under valgrind (time-free: the same work whatever the machine's load).
// `valgrind --tool=callgrind --trace-children=yes node bench/dist/src/tools/pingpong-count.js [bytes] [per call] [warm calls] [calls]`
// With PINGPONG_GATE=PATH it writes PATH.ready after the warm-up and waits for PATH.go, then writes
// PATH.done after the counted calls and waits for PATH.end: zero both processes' counters
// (`callgrind_control -z`) before the go and dump them (`callgrind_control -d`) before the end, and
// the dump holds the counted calls alone.
import { existsSync, writeFileSync } from "node:fs";
import { create } from "@bufbuild/protobuf";
import { createChannel, serve } from "@sluice/runtime";
import { EchoRequestSchema, EchoService } from "../../gen/bench/v1/echo_pb.js";
import { createEchoServiceClient } from "../../gen/bench/v1/echo_sluice.js";
import { echoServiceImpl } from "../contenders/echo-service.js";
import { pingPong } from "../contenders/request-sources.js";
import { makePayload } from "../harness/contracts.js";
import { forkServer } from "./forked-server.js";

/** Writes `path.mark` and resolves once `path.wait` exists (no-op without a gate). */
async function gate(path: string | undefined, mark: string, wait: string): Promise<void> {
  if (path === undefined) return;
  writeFileSync(`${path}.${mark}`, "");
  while (!existsSync(`${path}.${wait}`)) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** The server side: serves EchoService, reports its port, exits on any message. */
async function runServer(): Promise<void> {
  const server = await serve({ port: 0, host: "127.0.0.1", shutdownGraceMs: 0, routes: (r) => r.service(EchoService, echoServiceImpl) });
  process.send?.({ port: server.port });
  process.on("message", () => void server.close().then(() => process.exit(0)));
}

/**
 * The client side: `warm + calls` ping-pong calls of `perCall` messages. Run it twice with different
 * `calls` and the difference of each process's instruction count, divided by the extra messages, is
 * the count per message (start-up, warm-up and shutdown cancel out).
 */
async function runClient(bytes: number, perCall: number, warm: number, calls: number): Promise<void> {
  const server = forkServer<{ port: number }>(new URL(import.meta.url).pathname, ["server"]);
  const { port } = await server.next();
  const channel = createChannel({ target: `static:///127.0.0.1:${port}` });
  const client = createEchoServiceClient(channel);
  const request = create(EchoRequestSchema, { payload: makePayload(bytes) });
  let received = 0;
  const oneCall = async (): Promise<void> => {
    const exchange = pingPong(request, perCall);
    for await (const _ of client.echoBidi(exchange.requests)) {
      received++;
      exchange.answered();
    }
  };
  for (let i = 0; i < warm; i++) await oneCall();
  await gate(process.env.PINGPONG_GATE, "ready", "go");
  for (let i = 0; i < calls; i++) await oneCall();
  await gate(process.env.PINGPONG_GATE, "done", "end");
  console.log(`ping-pong ${bytes} B: ${received} messages in ${warm + calls} calls`);
  await channel.close();
  server.child.send("close");
}

if (process.argv[2] === "server") {
  void runServer();
} else {
  const [bytes, perCall, warm, calls] = process.argv.slice(2).map(Number);
  void runClient(bytes ?? 16, perCall ?? 1000, warm ?? 20, calls ?? 0);
}

// Test support for the retry suite: EchoService servers on 127.0.0.1 whose handlers (all four
// kinds) do what each test says, recording every attempt they see.
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { setTimeout as sleep } from "node:timers/promises";
import { createChannel, serve, type Channel, type ChannelOptions, type Server } from "@sluice/runtime";
import { EchoService, type EchoRequest, type EchoResponseSchema } from "../fast-path/gen/fastpath/v1/echo_pb.js";

type Out = MessageInitShape<typeof EchoResponseSchema>;

/** One attempt a backend saw. */
export interface SeenAttempt {
  readonly text: string;
  /** The `grpc-previous-rpc-attempts` request header, or null. */
  readonly previousAttempts: string | null;
  readonly at: number;
}

/** What a backend does with a call: return to answer (after its `delayMs`), throw to fail. */
export type Behaviour = (request: EchoRequest, backend: Backend) => void | Promise<void>;

/** A running test backend. */
export interface Backend {
  readonly name: string;
  server: Server;
  readonly seen: SeenAttempt[];
  /** Calls whose handler saw its signal abort (the client cancelled). */
  aborted: number;
  /** Delay before every answer, on top of the request's `delayMs`; a cancelled call stops waiting. */
  extraDelayMs: number;
  behaviour: Behaviour;
}

/** Waits `ms`, failing with CANCELED (and counting it) when the call is cancelled first. */
async function wait(ms: number, context: HandlerContext, backend: Backend): Promise<void> {
  if (ms <= 0) return;
  try {
    await sleep(ms, undefined, { signal: context.signal });
  } catch {
    backend.aborted++;
    throw new ConnectError("cancelled", Code.Canceled);
  }
}

function routes(backend: Backend) {
  return {
    async echo(request: EchoRequest, context: HandlerContext): Promise<Out> {
      backend.seen.push({ text: request.text, previousAttempts: context.requestHeader.get("grpc-previous-rpc-attempts"), at: Date.now() });
      await wait(request.delayMs + backend.extraDelayMs, context, backend);
      await backend.behaviour(request, backend);
      return { text: `${backend.name}:${request.text}` };
    },
    async *serverStream(request: EchoRequest, context: HandlerContext): AsyncGenerator<Out> {
      backend.seen.push({ text: request.text, previousAttempts: context.requestHeader.get("grpc-previous-rpc-attempts"), at: Date.now() });
      await wait(request.delayMs + backend.extraDelayMs, context, backend);
      for (let i = 0; i < request.count; i++) yield { text: `${backend.name}:${request.text}`, index: i };
      await backend.behaviour(request, backend);
    },
    async clientStream(requests: AsyncIterable<EchoRequest>, context: HandlerContext): Promise<Out> {
      const texts: string[] = [];
      for await (const request of requests) texts.push(request.text);
      backend.seen.push({ text: texts.join(","), previousAttempts: context.requestHeader.get("grpc-previous-rpc-attempts"), at: Date.now() });
      await backend.behaviour({ text: texts.join(",") } as EchoRequest, backend);
      return { text: `${backend.name}:${texts.join(",")}`, index: texts.length };
    },
    async *bidi(requests: AsyncIterable<EchoRequest>, context: HandlerContext): AsyncGenerator<Out> {
      // Reads the whole request stream before answering, so a failing behaviour fails the call
      // before its first response message; requests whose text starts with "ping" are answered
      // one by one as they come.
      const texts: string[] = [];
      for await (const request of requests) {
        if (request.text.startsWith("ping")) yield { text: `${backend.name}:${request.text}` };
        else texts.push(request.text);
      }
      backend.seen.push({ text: texts.join(","), previousAttempts: context.requestHeader.get("grpc-previous-rpc-attempts"), at: Date.now() });
      await backend.behaviour({ text: texts.join(",") } as EchoRequest, backend);
      for (const [index, text] of texts.entries()) yield { text: `${backend.name}:${text}`, index };
    },
  };
}

/** Answers every call. */
export const answer: Behaviour = () => {};

/** Fails every call with `code`, with `metadata` (e.g. a pushback header). */
export function failWith(code: Code, metadata: Record<string, string> = {}): Behaviour {
  return () => {
    throw new ConnectError("failing as told", code, metadata);
  };
}

/** Starts `count` backends named b0, b1, … behaving as `behaviour`. */
export async function startBackends(count: number, behaviour: Behaviour = answer): Promise<Backend[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const backend = { name: `b${i}`, seen: [], aborted: 0, extraDelayMs: 0, behaviour } as unknown as Backend;
      backend.server = await serve({ host: "127.0.0.1", shutdownGraceMs: 200, routes: (r) => r.service(EchoService, routes(backend)) });
      return backend;
    }),
  );
}

/** Starts `backend` again after a shutdown, on its old port or on `port` (0: a new free one). */
export async function restartBackend(backend: Backend, port = backend.server.port): Promise<void> {
  backend.server = await serve({ host: "127.0.0.1", port, shutdownGraceMs: 2000, routes: (r) => r.service(EchoService, routes(backend)) });
}

/** A channel over the backends with a static target, every endpoint ready. */
export async function channelTo(backends: readonly Backend[], options: Partial<ChannelOptions> = {}): Promise<Channel> {
  const channel = createChannel({
    target: `static:///${backends.map((b) => `127.0.0.1:${b.server.port}`).join(",")}`,
    outlierDetection: false,
    ...options,
  });
  await channel.waitForReady({ endpoints: "all", timeoutMs: 5000 });
  return channel;
}

/** Total attempts every backend saw. */
export function attemptsSeen(backends: readonly Backend[]): number {
  return backends.reduce((sum, b) => sum + b.seen.length, 0);
}

/** The backends and channel of one test, shut down after each test of the suite that calls this. */
export interface TestFleet {
  backends: Backend[];
  channel: Channel | undefined;
}

/** Returns a fleet that an `afterEach` empties: the channel closed, every backend shut down. */
export function fleetClosedAfterEach(): TestFleet {
  const fleet: TestFleet = { backends: [], channel: undefined };
  afterEach(async () => {
    await fleet.channel?.close(100);
    fleet.channel = undefined;
    await Promise.all(fleet.backends.map((b) => b.server.shutdown({ graceMs: 100 })));
    fleet.backends = [];
  });
  return fleet;
}

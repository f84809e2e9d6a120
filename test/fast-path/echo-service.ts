// Test support for the fast-path suite: the EchoService handlers (all four shapes, errors with
// details and metadata, header/trailer echo, delays that honour the signal) and server helpers.
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { serve, type Server, type ServeOptions } from "@sluice/runtime";
import { EchoResponseSchema, EchoService, type EchoRequest, type EchoResponse } from "./gen/fastpath/v1/echo_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { setTimeout as delay } from "node:timers/promises";

type Out = MessageInitShape<typeof EchoResponseSchema>;

/** Waits `ms`, or fails with CANCELED when the call is cancelled first (no listener left behind). */
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  ms <= 0
    ? Promise.resolve()
    : delay(ms, undefined, { signal }).catch(() => {
        throw ConnectError.from(signal.reason, Code.Canceled);
      });

/** Copies x-test* request headers to the response header and trailer. */
function echoMetadata(context: HandlerContext): void {
  context.requestHeader.forEach((value, key) => {
    if (!key.startsWith("x-test")) return;
    // Binary metadata keeps its "-bin" suffix last.
    const [name, suffix] = key.endsWith("-bin") ? [key.slice(0, -4), "-bin"] : [key, ""];
    context.responseHeader.set(`${name}-echo${suffix}`, value);
    context.responseTrailer.set(`${name}-trailer${suffix}`, value);
  });
}

/** Throws the error a request asks for (fail_code), with a detail and metadata. */
function maybeFail(request: EchoRequest): void {
  if (request.failCode === 0) return;
  throw new ConnectError(`failed as asked: ${request.text}`, request.failCode as Code, { "x-error-meta": "yes" }, [
    { desc: EchoResponseSchema, value: { text: "detail", index: 7 } },
  ]);
}

/** Records which handlers ran, for assertions. */
export interface EchoLog {
  readonly calls: string[];
  readonly aborted: string[];
}

/** The EchoService implementation. */
export function echoImpl(log: EchoLog = { calls: [], aborted: [] }) {
  return {
    async echo(request: EchoRequest, context: HandlerContext): Promise<Out> {
      log.calls.push("echo");
      echoMetadata(context);
      if (request.delayMs > 0) {
        try {
          await sleep(request.delayMs, context.signal);
        } catch (error) {
          log.aborted.push("echo");
          throw error;
        }
      }
      maybeFail(request);
      return { text: request.text, payload: request.payload };
    },
    async *serverStream(request: EchoRequest, context: HandlerContext): AsyncGenerator<Out> {
      log.calls.push("serverStream");
      echoMetadata(context);
      for (let i = 0; i < request.count; i++) {
        if (request.delayMs > 0) await sleep(request.delayMs, context.signal);
        yield { text: request.text, index: i, payload: request.payload };
      }
      maybeFail(request);
    },
    async clientStream(requests: AsyncIterable<EchoRequest>, context: HandlerContext): Promise<Out> {
      log.calls.push("clientStream");
      echoMetadata(context);
      const texts: string[] = [];
      for await (const request of requests) {
        maybeFail(request);
        texts.push(request.text);
      }
      return { text: texts.join(","), index: texts.length };
    },
    async *bidi(requests: AsyncIterable<EchoRequest>, context: HandlerContext): AsyncGenerator<Out> {
      log.calls.push("bidi");
      echoMetadata(context);
      let i = 0;
      for await (const request of requests) {
        maybeFail(request);
        yield { text: request.text, index: i++ };
      }
    },
  };
}

/** Registers the EchoService. */
export function registerEcho(router: ConnectRouter, log?: EchoLog): void {
  router.service(EchoService, echoImpl(log));
}

/** Starts serve() with the EchoService on 127.0.0.1, port 0. */
export function startEchoServer(options: Partial<ServeOptions> & { log?: EchoLog } = {}): Promise<Server> {
  const { log, ...rest } = options;
  return serve({ host: "127.0.0.1", shutdownGraceMs: 200, routes: (router) => registerEcho(router, log), ...rest });
}

export type { EchoResponse };

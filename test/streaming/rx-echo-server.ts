// Test support for the streaming suite: an EchoService whose handlers answer in either style —
// AsyncIterable or rxjs Observable, chosen per call by the `x-style` request header — and record
// when each call's signal aborted and when a returned Observable was unsubscribed.
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import * as http2 from "node:http2";
import { concat, defer, finalize, interval, lastValueFrom, map, Observable, of, take, throwError, toArray } from "rxjs";
import { observeRequests, registerService, serve, type Server, type ServerTransport } from "@sluice/runtime";
import { EchoService, type EchoRequest, type EchoResponseSchema } from "../fast-path/gen/fastpath/v1/echo_pb.js";

type Out = MessageInitShape<typeof EchoResponseSchema>;

/** What one handler call did. */
export interface CallRecord {
  readonly method: string;
  abortedAt?: number;
  unsubscribedAt?: number;
  produced: number;
}

/** A running echo server and what its handlers saw. */
export interface RxEchoServer {
  readonly server: Server;
  readonly records: CallRecord[];
  /** HTTP/2 streams the server has open now. */
  openStreams(): number;
  close(): Promise<void>;
}

const observableStyle = (context: HandlerContext): boolean => context.requestHeader.get("x-style") === "observable";

function failure(request: EchoRequest): ConnectError {
  return new ConnectError(`failed as asked: ${request.text}`, request.failCode as Code);
}

/** Starts serve() on 127.0.0.1 with the dual-style EchoService. */
export async function startRxEchoServer(transport: ServerTransport = "sluice", http2Options?: http2.ServerOptions): Promise<RxEchoServer> {
  const records: CallRecord[] = [];
  const track = (method: string, context: HandlerContext): CallRecord => {
    const record: CallRecord = { method, produced: 0 };
    records.push(record);
    context.signal.addEventListener("abort", () => (record.abortedAt = performance.now()), { once: true });
    return record;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const impl = {
    async echo(request: EchoRequest, context: HandlerContext): Promise<Out> {
      if (request.delayMs > 0) {
        track("echo", context);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, request.delayMs);
          context.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
      if (request.failCode !== 0) throw failure(request);
      return { text: request.text };
    },
    serverStream(request: EchoRequest, context: HandlerContext): AsyncIterable<Out> | Observable<Out> {
      const record = track("serverStream", context);
      if (observableStyle(context)) {
        const source = request.delayMs > 0 ? interval(request.delayMs) : interval(0);
        const messages = source.pipe(
          take(request.count),
          map((i): Out => {
            record.produced++;
            return { text: request.text, index: i, payload: request.payload };
          }),
        );
        const ending = request.failCode !== 0 ? throwError(() => failure(request)) : of<Out>();
        return concat(messages, ending).pipe(finalize(() => (record.unsubscribedAt = performance.now())));
      }
      return (async function* () {
        for (let i = 0; i < request.count && !context.signal.aborted; i++) {
          if (request.delayMs > 0) await sleep(request.delayMs);
          record.produced++;
          yield { text: request.text, index: i, payload: request.payload };
        }
        if (request.failCode !== 0) throw failure(request);
      })();
    },
    async clientStream(requests: AsyncIterable<EchoRequest>, context: HandlerContext): Promise<Out> {
      track("clientStream", context);
      if (context.requestHeader.get("x-hold") === "true") {
        // Reads nothing until cancelled: the client's sender must stop at flow control.
        await new Promise<void>((resolve) => context.signal.addEventListener("abort", () => resolve(), { once: true }));
        throw new ConnectError("cancelled", Code.Canceled);
      }
      const texts = observableStyle(context)
        ? await lastValueFrom(observeRequests(requests).pipe(map((r) => r.text), toArray()))
        : await (async () => {
            const all: string[] = [];
            for await (const r of requests) all.push(r.text);
            return all;
          })();
      return { text: texts.join(","), index: texts.length };
    },
    bidi(requests: AsyncIterable<EchoRequest>, context: HandlerContext): AsyncIterable<Out> | Observable<Out> {
      const record = track("bidi", context);
      if (observableStyle(context)) {
        return defer(() => {
          let i = 0;
          return observeRequests(requests).pipe(
            map((r): Out => {
              if (r.failCode !== 0) throw failure(r);
              record.produced++;
              return { text: r.text, index: i++ };
            }),
          );
        }).pipe(finalize(() => (record.unsubscribedAt = performance.now())));
      }
      return (async function* () {
        let i = 0;
        for await (const r of requests) {
          if (r.failCode !== 0) throw failure(r);
          record.produced++;
          yield { text: r.text, index: i++ };
        }
      })();
    },
  };
  const server = await serve({
    host: "127.0.0.1",
    shutdownGraceMs: 200,
    transport,
    http2Options,
    routes: (router) => registerService(router, EchoService, impl),
  });
  let open = 0;
  server.http2Server.on("stream", (stream: http2.ServerHttp2Stream) => {
    open++;
    stream.once("close", () => open--);
  });
  return { server, records, openStreams: () => open, close: () => server.close() };
}

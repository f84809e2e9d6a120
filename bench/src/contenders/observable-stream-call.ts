// One stream call of the stream scenario read through a Sluice client's Observable twins
// (`echoStream$`, `echoBidi$`); client streaming, which has no twin, goes as an AsyncIterable.
import { create } from "@bufbuild/protobuf";
import { concatMap, from, ignoreElements, lastValueFrom, startWith, Subject, tap, type Observable } from "rxjs";
import type { JsonObject } from "../harness/scenario.js";
import { EchoRequestSchema, EchoStreamRequestSchema, type EchoRequest, type EchoStreamRequest } from "../../gen/bench/v1/echo_pb.js";
import { consume, consumeDelayMs, streamCount, streamPayload, streamShape } from "./call-args.js";
import { iterableStreamCall, type IterableEchoClient } from "./iterable-stream-call.js";
import { repeatMessage } from "./request-sources.js";

/** The Observable twins a stream call uses, besides the AsyncIterable methods. */
export interface ObservableEchoClient extends IterableEchoClient {
  echoStream$(request: EchoStreamRequest): Observable<unknown>;
  echoBidi$(requests: AsyncIterable<EchoRequest> | Observable<EchoRequest>): Observable<unknown>;
}

/** Resolves when `source` completes, counting its values. */
async function countValues(source: Observable<unknown>): Promise<number> {
  let received = 0;
  await lastValueFrom(source.pipe(tap(() => received++), ignoreElements()), { defaultValue: undefined });
  return received;
}

/**
 * Makes one stream call as `args` say, reading responses through the Observable twin: server
 * streaming (a slow consumer waits in `concatMap`), bidi ping-pong (requests from a Subject, the
 * next one sent from `next`), bidi pipelined (requests from an AsyncIterable); resolves with the
 * messages moved.
 */
export async function observableStreamCall(client: ObservableEchoClient, args: JsonObject): Promise<number> {
  const count = streamCount(args);
  const payload = streamPayload(args);
  switch (streamShape(args)) {
    case "server": {
      const delayMs = consumeDelayMs(args);
      const responses = client.echoStream$(create(EchoStreamRequestSchema, { count, payload }));
      return countValues(delayMs > 0 ? responses.pipe(concatMap(() => from(consume(delayMs)!))) : responses);
    }
    case "client":
      return iterableStreamCall(client, args);
    case "bidi-pingpong": {
      const request = create(EchoRequestSchema, { payload });
      const requests = new Subject<EchoRequest>();
      let sent = 1;
      const answered = (): void => {
        if (sent === count) return requests.complete();
        sent++;
        requests.next(request);
      };
      return countValues(client.echoBidi$(requests.pipe(startWith(request))).pipe(tap(answered)));
    }
    case "bidi-pipelined":
      return countValues(client.echoBidi$(repeatMessage(create(EchoRequestSchema, { payload }), count)));
  }
}

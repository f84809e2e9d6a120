// Server of the stream scenario's hub rows: serve() whose EchoStream calls are subscribers of an
// event hub. Calls gather in groups of `subscribers`; then a publisher paced by the subscribers'
// queues publishes the `count` events they asked for, and each call streams them out.
import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { createHub, serve, unimplemented, type HubSubscription } from "@sluice/runtime";
import { intOption, type StartServer } from "../harness/contracts.js";
import { EchoStreamResponseSchema, type EchoStreamRequest, type EchoStreamResponse } from "../../gen/bench/v1/echo_pb.js";
import { registerEchoService } from "../../gen/bench/v1/echo_sluice.js";

/** Each subscriber's queue; the publisher tops queues up when the fullest is at most half full. */
const QUEUE_SIZE = 256;

/** A call waiting for its group to fill. */
interface Waiting {
  readonly request: EchoStreamRequest;
  readonly signal: AbortSignal;
  start(subscription: HubSubscription<EchoStreamResponse>): void;
}

/** Calls gathered into groups, and the paced publisher of each group's events. */
class HubRounds {
  readonly hub = createHub<EchoStreamResponse>({ queueSize: QUEUE_SIZE, slowConsumer: "end" });
  groupSize = 1;
  private waiting: Waiting[] = [];
  private readonly active = new Set<HubSubscription<EchoStreamResponse>>();
  private message: EchoStreamResponse | undefined;
  private left = 0;
  private scheduled = false;

  /** Resolves with the call's subscription once its group is full (undefined if the call was cancelled first). */
  join(request: EchoStreamRequest, signal: AbortSignal): Promise<HubSubscription<EchoStreamResponse> | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.waiting = this.waiting.filter((w) => w !== entry);
        resolve(undefined);
      };
      const entry: Waiting = {
        request,
        signal,
        start: (subscription) => {
          signal.removeEventListener("abort", onAbort);
          resolve(subscription);
        },
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(entry);
      this.startIfFull();
    });
  }

  /** The call is done with its subscription. */
  leave(subscription: HubSubscription<EchoStreamResponse>): void {
    subscription.close();
    this.active.delete(subscription);
    if (this.active.size === 0) this.left = 0;
    this.startIfFull();
  }

  /** A subscriber took an event: publish more once the fullest queue is at most half full. */
  took(subscription: HubSubscription<EchoStreamResponse>): void {
    if (this.scheduled || this.left === 0 || subscription.queued > QUEUE_SIZE / 2) return;
    this.scheduled = true;
    setImmediate(() => this.publish());
  }

  private startIfFull(): void {
    if (this.active.size > 0 || this.waiting.length < this.groupSize) return;
    const group = this.waiting.splice(0, this.groupSize);
    this.message = create(EchoStreamResponseSchema, { payload: group[0]!.request.payload });
    this.left = group[0]!.request.count;
    // Every member subscribes before the first event, so each gets all of them.
    for (const member of group) {
      const subscription = this.hub.subscribe({ signal: member.signal });
      this.active.add(subscription);
      member.start(subscription);
    }
    this.publish();
  }

  private publish(): void {
    this.scheduled = false;
    let fullest = 0;
    for (const subscription of this.active) fullest = Math.max(fullest, subscription.queued);
    for (let n = Math.min(QUEUE_SIZE - fullest, this.left); n > 0; n--, this.left--) this.hub.publish("all", this.message!);
  }
}

/**
 * Options: none. Point arguments (`configure`): `subscribers`, the calls a group gathers before
 * its events are published (default 1). Serves up to 2,000 concurrent streams per connection.
 */
export const startServer: StartServer = async () => {
  const rounds = new HubRounds();
  const server = await serve({
    port: 0,
    host: "127.0.0.1",
    shutdownGraceMs: 0,
    health: false,
    hardening: { maxConcurrentStreams: 2000 },
    routes: (router) =>
      registerEchoService(router, {
        echo: unimplemented,
        async *echoStream(request: EchoStreamRequest, context: HandlerContext) {
          const subscription = await rounds.join(request, context.signal);
          if (subscription === undefined) return;
          try {
            let sent = 0;
            for await (const event of subscription) {
              yield event.value;
              if (++sent === request.count) return;
              rounds.took(subscription);
            }
          } finally {
            rounds.leave(subscription);
          }
        },
        echoUpload: unimplemented,
        echoBidi: unimplemented,
      }),
  });
  return {
    ports: [server.port],
    configure(args) {
      const subscribers = intOption(args, "subscribers", 1);
      if (subscribers < 1) throw new Error(`point argument "subscribers" must be at least 1, got ${subscribers}`);
      rounds.groupSize = subscribers;
    },
    close: () => server.close(),
  };
};

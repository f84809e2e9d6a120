// Server of the stream scenario's hub rows: serve() whose EchoStream calls are subscribers of an
// event hub. Calls gather in groups of `subscribers`, each group subscribed to a hub of its own; then
// a publisher paced by the queues publishes the `count` events they asked for, and each call streams them out.
import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { createHub, serve, unimplemented, type Hub, type HubSubscription } from "@sluice/runtime";
import { choiceOption, intOption, type StartServer } from "../harness/contracts.js";
import { EchoStreamResponseSchema, type EchoStreamRequest, type EchoStreamResponse } from "../../gen/bench/v1/echo_pb.js";
import { registerEchoService } from "../../gen/bench/v1/echo_sluice.js";

/** Each subscriber's queue; the publisher tops queues up when the fullest is at most half full. */
const QUEUE_SIZE = 256;

/** The hub of one group, its subscriptions and the events left to publish. */
interface Round {
  readonly hub: Hub<EchoStreamResponse>;
  readonly subscriptions: HubSubscription<EchoStreamResponse>[];
  readonly message: EchoStreamResponse;
  left: number;
  scheduled: boolean;
}

/** Calls gathered into groups, each group with a hub of its own that closes after its last event. */
class HubRounds {
  groupSize = 1;
  /** The group still gathering calls. */
  private forming: Round | undefined;

  /**
   * Subscribes the call to the gathering group's hub (so it gets every event) and starts publishing
   * once the group has `groupSize` calls that are still open.
   */
  join(request: EchoStreamRequest, signal: AbortSignal): { round: Round; subscription: HubSubscription<EchoStreamResponse> } {
    const round = (this.forming ??= {
      hub: createHub<EchoStreamResponse>({ queueSize: QUEUE_SIZE, slowConsumer: "end" }),
      subscriptions: [],
      message: create(EchoStreamResponseSchema, { payload: request.payload }),
      left: request.count,
      scheduled: false,
    });
    const subscription = round.hub.subscribe({ signal });
    round.subscriptions.push(subscription);
    let open = 0;
    for (const s of round.subscriptions) if (!s.closed) open++;
    if (open >= this.groupSize) {
      this.forming = undefined;
      this.publish(round);
    }
    return { round, subscription };
  }

  /** A subscriber took an event: publish more once its queue is at most half full. */
  took(round: Round, subscription: HubSubscription<EchoStreamResponse>): void {
    if (round.scheduled || round.left === 0 || subscription.queued > QUEUE_SIZE / 2) return;
    round.scheduled = true;
    setImmediate(() => this.publish(round));
  }

  /** Tops every queue up to the fullest one's room; closes the hub after the last event (calls end after their queues). */
  private publish(round: Round): void {
    round.scheduled = false;
    let fullest = 0;
    for (const subscription of round.subscriptions) if (!subscription.closed) fullest = Math.max(fullest, subscription.queued);
    for (let n = Math.min(QUEUE_SIZE - fullest, round.left); n > 0; n--, round.left--) round.hub.publish("all", round.message);
    if (round.left === 0) round.hub.close();
  }
}

/**
 * Options: `handler` "map" (default: the handler returns `subscription.map(...)`, the hub's response
 * stream, batched on the fast path) or "generator" (an async generator yielding each event's value).
 * Point arguments (`configure`): `subscribers`, the calls a group gathers before its events are
 * published (default 1). Serves up to 2,000 concurrent streams per connection.
 */
export const startServer: StartServer = async (options) => {
  const style = choiceOption(options, "handler", ["map", "generator"] as const, "map");
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
        echoStream(request: EchoStreamRequest, context: HandlerContext) {
          const { round, subscription } = rounds.join(request, context.signal);
          if (style === "map") {
            return subscription.map((event) => {
              rounds.took(round, subscription);
              return event.value;
            });
          }
          return (async function* () {
            try {
              for await (const event of subscription) {
                yield event.value;
                rounds.took(round, subscription);
              }
            } finally {
              subscription.close();
            }
          })();
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

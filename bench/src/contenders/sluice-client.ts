// Load generator of the Sluice contenders: the generated EchoService client over createChannel,
// with every server port as an endpoint.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type CallOptions } from "@connectrpc/connect";
import { createChannel, pickerNames, withRoutingKey, type BalancerConfig, type PickerName } from "@sluice/runtime";
import { choiceOption, intOption, makePayload, type CreateCaller } from "../harness/contracts.js";
import { EchoRequestSchema, EchoStreamRequestSchema } from "../../gen/bench/v1/echo_pb.js";
import { createEchoServiceClient } from "../../gen/bench/v1/echo_sluice.js";
import { STREAM_PAYLOAD_BYTES, UNARY_PAYLOAD_BYTES, heldStreamCount, readingStyle, readingStyles, streamCount, toleratesOverload } from "./call-args.js";
import { iterableStreamCall } from "./iterable-stream-call.js";
import { observableStreamCall } from "./observable-stream-call.js";
import { benchPki } from "./bench-tls.js";

/** A fresh random routing key, so ring-hash spreads calls as a population of keys would. */
function randomKeyOptions(): CallOptions {
  return { contextValues: withRoutingKey((Math.random() * 2 ** 32).toString(36)) };
}

/**
 * Options: `protocol` "grpc" (default) or "connect"; `balancer`, a Sluice picker name (default
 * "round-robin"); `routingKey` "none" (default) or "random" (a new random key on every unary call,
 * for ring-hash); `ewmaDecayMs`, the time constant of each endpoint's latency EWMA (default: the
 * channel's, 10 s); `ewmaSampleWeight`, the EWMA's least weight of a lower sample (default: the
 * channel's, 0.1); `style` "iterable" (default: a for-await loop) or "observable" (the `method$`
 * twin, counted in `subscribe`; a slow consumer works in `concatMap`; see observable-stream-call.ts),
 * which a call argument `style` overrides for that call (so one process pair serves both styles).
 * `tls` "false" (default) or "true" (TLS, trusting the bench CA).
 * `latency` "client" (default) or "server": peak-ewma's latency source (the servers' reported
 * handler latency). `weightUpdatePeriodMs` (load-report; default the policy's, 1 s) and
 * `loadReportBlackoutMs` (default the channel's, 10 s); `outOfBandMs`: open an out-of-band load-report
 * stream per endpoint asking for this interval (default none: per-call reports only). `ejectSlow` "false" (default) or "true": outlier
 * detection also ejects endpoints far slower than the rest (`slowEndpoints` with its defaults).
 * Call argument `timeoutMs` (unary only): the call's deadline.
 */
export const createCaller: CreateCaller = async (ports, options) => {
  const protocol = choiceOption(options, "protocol", ["grpc", "connect"] as const, "grpc");
  const balancer = choiceOption<PickerName>(options, "balancer", pickerNames, "round-robin");
  const randomKeys = choiceOption(options, "routingKey", ["none", "random"] as const, "none") === "random";
  const ewmaDecayMs = options.ewmaDecayMs === undefined ? undefined : intOption(options, "ewmaDecayMs", 10_000);
  const style = choiceOption(options, "style", readingStyles, "iterable");
  const ewmaSampleWeight = options.ewmaSampleWeight === undefined ? undefined : Number(options.ewmaSampleWeight);
  // `fastOnly`: leave out the first port (the balance scenario's slow backend), for the reference
  // line of what a balancer that never touched the slow backend would see on this machine.
  const targets = choiceOption(options, "fastOnly", ["false", "true"] as const, "false") === "true" ? ports.slice(1) : ports;
  const tls = choiceOption(options, "tls", ["false", "true"] as const, "false") === "true" ? { ca: benchPki().ca } : undefined;
  const latency = choiceOption(options, "latency", ["client", "server"] as const, "client");
  const weightUpdatePeriodMs = options.weightUpdatePeriodMs === undefined ? undefined : intOption(options, "weightUpdatePeriodMs", 1000);
  const blackoutMs = options.loadReportBlackoutMs === undefined ? undefined : intOption(options, "loadReportBlackoutMs", 10_000);
  const outOfBandMs = options.outOfBandMs === undefined ? undefined : intOption(options, "outOfBandMs", 1000);
  const loadReports = {
    ...(blackoutMs === undefined ? {} : { blackoutMs }),
    ...(outOfBandMs === undefined ? {} : { outOfBand: { intervalMs: outOfBandMs } }),
  };
  const ejectSlow = choiceOption(options, "ejectSlow", ["false", "true"] as const, "false") === "true";
  const balancerConfig: BalancerConfig =
    balancer === "peak-ewma" && latency === "server"
      ? { policy: "peak-ewma", latency }
      : balancer === "load-report" && weightUpdatePeriodMs !== undefined
        ? { policy: "load-report", weightUpdatePeriodMs }
        : balancer;
  const channel = createChannel({
    tls,
    target: `static:///${targets.map((p) => `127.0.0.1:${p}`).join(",")}`,
    protocol,
    balancer: balancerConfig,
    ...(Object.keys(loadReports).length === 0 ? {} : { loadReports }),
    ...(ewmaDecayMs === undefined ? {} : { ewmaDecayMs }),
    ...(ewmaSampleWeight === undefined ? {} : { ewmaSampleWeight }),
    ...(ejectSlow ? { outlierDetection: { slowEndpoints: {} } } : {}),
  });
  const client = createEchoServiceClient(channel);
  const unary = create(EchoRequestSchema, { payload: makePayload(UNARY_PAYLOAD_BYTES) });
  let held: Promise<void> | undefined;
  return {
    async call(args) {
      const count = streamCount(args);
      const hold = heldStreamCount(args);
      if (hold > 0 && held === undefined) {
        const request = create(EchoStreamRequestSchema, { count: hold, payload: makePayload(STREAM_PAYLOAD_BYTES) });
        held = (async () => {
          for await (const _ of client.echoStream(request));
        })().finally(() => (held = undefined));
      }
      if (count === 0) {
        const timeoutMs = intOption(args, "timeoutMs", 0);
        const keyOptions = randomKeys ? randomKeyOptions() : undefined;
        try {
          await client.echo(unary, timeoutMs > 0 ? { ...keyOptions, timeoutMs } : keyOptions);
        } catch (error) {
          if (!toleratesOverload(args) || ConnectError.from(error).code !== Code.ResourceExhausted) throw error;
        }
        return 1;
      }
      return readingStyle(args, style) === "observable" ? observableStreamCall(client, args) : iterableStreamCall(client, args);
    },
    close: () => channel.close(),
  };
};

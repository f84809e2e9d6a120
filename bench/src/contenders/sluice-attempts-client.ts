// Load generator of the tail and retry-storm scenarios: the Sluice policy client over a channel to
// every port, with Echo hedged (fixed or adaptive delay) or retried (with or without the budget).
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { createChannel, createPolicyClient, type MethodPolicy, type PolicyTable, type RetryBudgetConfig } from "@sluice/runtime";
import { choiceOption, intOption, makePayload, type CreateCaller } from "../harness/contracts.js";
import { EchoRequestSchema, EchoService } from "../../gen/bench/v1/echo_pb.js";
import { UNARY_PAYLOAD_BYTES } from "./call-args.js";

const modes = ["none", "fixed", "adaptive", "retry"] as const;

/** A budget so large it never refuses: each retry withdraws 1/1000 of what a request deposits. */
const unlimited: RetryBudgetConfig = { type: "windowed", percentCanRetry: 1000 };

/**
 * Options: `mode` — "none" (one attempt per call), "fixed" (hedge after `hedgeDelayMs`, default
 * 10), "adaptive" (hedge after the method's observed p`percentile` latency, default 98, with
 * `hedgeDelayMs` until 20 samples exist), or "retry" (up to 5 attempts on UNAVAILABLE, 5 ms backoff);
 * `maxAttempts` (default 2 for hedging, 5 for retries); `budget` — "finagle" (default),
 * "throttling" (gRPC's, maxTokens 10, tokenRatio 0.1) or "unlimited". A failed call counts as done.
 */
export const createCaller: CreateCaller = async (ports, options) => {
  const mode = choiceOption(options, "mode", modes, "none");
  const budget = choiceOption(options, "budget", ["finagle", "throttling", "unlimited"] as const, "finagle");
  const hedgingDelayMs = intOption(options, "hedgeDelayMs", 10);
  const percentile = intOption(options, "percentile", 98) / 100;
  const maxAttempts = intOption(options, "maxAttempts", mode === "retry" ? 5 : 2);
  const retryBudget: RetryBudgetConfig =
    budget === "unlimited" ? unlimited : budget === "throttling" ? { type: "throttling", maxTokens: 10, tokenRatio: 0.1 } : { type: "windowed" };
  const channel = createChannel({
    target: `static:///${ports.map((p) => `127.0.0.1:${p}`).join(",")}`,
    balancer: "round-robin",
    outlierDetection: false,
    retryBudget,
  });
  const hedge = { maxAttempts, hedgingDelayMs, nonFatalCodes: [Code.Unavailable] };
  const echo: MethodPolicy =
    mode === "retry"
      ? { idempotency: "idempotent", retry: { maxAttempts, initialBackoffMs: 5, maxBackoffMs: 20, backoffMultiplier: 2, retryableCodes: [Code.Unavailable] } }
      : mode === "none"
        ? { idempotency: "no-side-effects" }
        : { idempotency: "no-side-effects", hedge: mode === "adaptive" ? { ...hedge, adaptiveDelay: { percentile } } : hedge };
  const policies = { echo, echoStream: { idempotency: "unknown" } } as PolicyTable<typeof EchoService>;
  const client = createPolicyClient(EchoService, channel, policies);
  const request = create(EchoRequestSchema, { payload: makePayload(UNARY_PAYLOAD_BYTES) });
  return {
    async call() {
      try {
        await client.echo(request);
      } catch {
        // The retry-storm backend fails calls on purpose; the failure is part of the measurement.
      }
      return 1;
    },
    close: () => channel.close(),
  };
};

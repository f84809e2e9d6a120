// A neighbour's load on one balance backend: closed-loop Echo calls from inside the server process
// over loopback gRPC (Sluice's generated client on its own channel), marked with a header so the backend counts them apart from the measured
// client's, ramped up one worker at a time and bounded in time.
import { create } from "@bufbuild/protobuf";
import { createChannel } from "@sluice/runtime";
import { EchoRequestSchema } from "../../gen/bench/v1/echo_pb.js";
import { createEchoServiceClient } from "../../gen/bench/v1/echo_sluice.js";

/** Request header marking a neighbour's call (its value is "1"). */
export const neighbourHeader = "x-bench-neighbour";

/** Options of {@link startNeighbourLoad}. */
export interface NeighbourLoadOptions {
  /** The backend's port on 127.0.0.1. */
  readonly port: number;
  /** Calls kept in flight once ramped up (one per worker). */
  readonly workers: number;
  /** Time over which the workers start, evenly spaced (0: all at once). */
  readonly rampMs: number;
  /** Every worker stops after this long at the latest. */
  readonly maxMs: number;
}

/** A running neighbour. */
export interface NeighbourLoad {
  /** Stops every worker, waits for their calls to end, and closes the neighbour's channel. */
  stop(): Promise<void>;
  /** Neighbour calls that completed. */
  completed(): number;
}

/**
 * Starts the neighbour: worker k starts `k × rampMs / workers` ms from now and calls back to back
 * until `stop()` or `maxMs`.
 */
export function startNeighbourLoad(options: NeighbourLoadOptions): NeighbourLoad {
  const channel = createChannel({ target: `static:///127.0.0.1:${options.port}`, outlierDetection: false });
  const client = createEchoServiceClient(channel);
  let stopped = false;
  const request = create(EchoRequestSchema, {});
  const callOptions = { headers: { [neighbourHeader]: "1" } };
  const deadline = performance.now() + options.maxMs;
  let completed = 0;
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  const worker = async (k: number): Promise<void> => {
    await sleep((k * options.rampMs) / options.workers);
    while (!stopped && performance.now() < deadline) {
      try {
        await client.echo(request, callOptions);
        completed++;
      } catch {
        if (!stopped) await sleep(1);
      }
    }
  };
  const running = Promise.all(Array.from({ length: options.workers }, (_, k) => worker(k)));
  return {
    async stop() {
      stopped = true;
      await channel.close(1000);
      await running;
    },
    completed: () => completed,
  };
}

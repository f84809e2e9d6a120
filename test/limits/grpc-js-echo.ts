// Test support for the limits suite: a grpc-js Echo client that reports every call's outcome
// (status, trailers, time taken) and counts bytes the server receives.
import * as grpc from "@grpc/grpc-js";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { Server } from "@sluice/runtime";
import { EchoRequestSchema, EchoService, type EchoResponse } from "../fast-path/gen/fastpath/v1/echo_pb.js";
import { grpcJsService } from "../support/grpc-js-definition.js";

type AnyClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

/** How one call ended, as the caller saw it. */
export interface CallResult {
  readonly code: grpc.status;
  readonly details: string;
  readonly trailer: grpc.Metadata;
  readonly ms: number;
  readonly response?: EchoResponse;
}

/** A grpc-js client of the Echo service with a per-call deadline. */
export interface EchoClient {
  echo(request: MessageInitShape<typeof EchoRequestSchema>, deadlineMs?: number): Promise<CallResult>;
  close(): void;
}

/** Creates a grpc-js Echo client for `server`. */
export function echoClient(server: Server): EchoClient {
  const Ctor = grpc.makeGenericClientConstructor(grpcJsService(EchoService), "EchoService");
  const client = new Ctor(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure(), {
    "grpc.max_send_message_length": 8 * 1024 * 1024,
  }) as AnyClient;
  return {
    echo(request, deadlineMs = 10_000) {
      const start = performance.now();
      return new Promise<CallResult>((resolve) => {
        let response: EchoResponse | undefined;
        const call = client.echo(create(EchoRequestSchema, request), new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (_e: unknown, r?: EchoResponse) => {
          response = r;
        }) as grpc.ClientUnaryCall;
        call.on("status", (s: grpc.StatusObject) =>
          setImmediate(() => resolve({ code: s.code, details: s.details, trailer: s.metadata, ms: performance.now() - start, response })),
        );
      });
    },
    close: () => client.close(),
  };
}

/** Counts the bytes every connection of `server` has received so far. */
export function bytesReceived(server: Server): () => number {
  const sockets = new Set<{ bytesRead: number }>();
  server.http2Server.on("session", (session) => {
    if (session.socket !== undefined) sockets.add(session.socket as unknown as { bytesRead: number });
  });
  return () => [...sockets].reduce((sum, s) => sum + s.bytesRead, 0);
}

/** The `q` quantile (0–1) of `values` (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

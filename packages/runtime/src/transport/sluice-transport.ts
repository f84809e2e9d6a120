// createSluiceTransport: Connect's Transport on the fast path — gRPC and Connect, all four shapes,
// straight on one endpoint's node:http2 session; interceptors only when configured (run so that
// leaving a stream early still cancels it).
import type { BinaryReadOptions, BinaryWriteOptions, DescMessage, DescMethodStreaming, DescMethodUnary, MessageInitShape } from "@bufbuild/protobuf";
import { createContextValues, type ContextValues, type Interceptor, type StreamResponse, type Transport, type UnaryResponse } from "@connectrpc/connect";
import { createMethodUrl } from "@connectrpc/connect/protocol";
import { runStreamInterceptors, runUnaryInterceptors } from "../call/run-interceptors.js";
import { deadlineOf } from "./deadline-timer.js";
import { createSluiceConnection, type SluiceConnection, type SluiceConnectionOptions } from "./endpoint-connection.js";
import { defaultReadMaxBytes, type CodecOptions } from "./codec.js";
import { connectUnary } from "./connect-unary.js";
import { streamingCall } from "./streaming-call.js";
import { grpcUnary } from "./grpc-unary.js";
import { encodeGrpcTimeout, type HeadersInit } from "./node-headers.js";
import { userAgent, type FastProtocol } from "./request-headers.js";

/** Options of {@link createSluiceTransport}. */
export interface SluiceTransportOptions {
  /** `http://host:port` of the endpoint. */
  readonly baseUrl: string;
  /** Wire protocol: `"grpc"` (default) or `"connect"`. */
  readonly protocol?: FastProtocol;
  /** The endpoint's connection; by default the transport creates its own. */
  readonly connection?: SluiceConnection;
  /** Keepalive and idle settings when the transport creates its own connection. */
  readonly connectionOptions?: SluiceConnectionOptions;
  /** Connect interceptors, run around every call. */
  readonly interceptors?: Interceptor[];
  readonly binaryOptions?: Partial<BinaryReadOptions & BinaryWriteOptions>;
  /** Largest message accepted from the server (default 4 MiB, as on the server); a larger one fails with RESOURCE_EXHAUSTED. */
  readonly readMaxBytes?: number;
  /** Largest message sent (default 4 GiB - 1). */
  readonly writeMaxBytes?: number;
}

const maxBytes = 0xffffffff;

/** A Transport on the fast path, plus its connection. */
export interface SluiceTransport extends Transport {
  readonly connection: SluiceConnection;
}

/**
 * Creates a fast-path transport for one endpoint.
 *
 * @example
 * ```ts
 * const transport = createSluiceTransport({ baseUrl: "http://127.0.0.1:8081" });
 * const client = createClient(EchoService, transport);
 * ```
 */
export function createSluiceTransport(options: SluiceTransportOptions): SluiceTransport {
  const protocol = options.protocol ?? "grpc";
  if (protocol !== "grpc" && protocol !== "connect") {
    throw new Error(`protocol: unknown protocol "${String(protocol)}"; accepted: grpc, connect`);
  }
  for (const field of ["readMaxBytes", "writeMaxBytes"] as const) {
    const value = options[field];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= maxBytes)) {
      throw new Error(`${field}: must be an integer from 1 to ${maxBytes}, got ${String(value)}`);
    }
  }
  const connection = options.connection ?? createSluiceConnection(options.baseUrl, options.connectionOptions);
  const codec: CodecOptions = {
    binaryOptions: options.binaryOptions,
    readMaxBytes: options.readMaxBytes ?? defaultReadMaxBytes,
    writeMaxBytes: options.writeMaxBytes ?? maxBytes,
  };
  const interceptors = options.interceptors !== undefined && options.interceptors.length > 0 ? options.interceptors : undefined;
  const unaryCall = protocol === "grpc" ? grpcUnary : connectUnary;

  /** The request header an interceptor sees, as Connect's transports build it. */
  const interceptorHeader = (timeoutMs: number | undefined, header: HeadersInit | undefined, unary: boolean): Headers => {
    const h = new Headers(header);
    if (protocol === "grpc") {
      h.set("content-type", "application/grpc+proto");
      h.set("te", "trailers");
      if (timeoutMs !== undefined) h.set("grpc-timeout", encodeGrpcTimeout(timeoutMs));
    } else {
      h.set("content-type", unary ? "application/proto" : "application/connect+proto");
      h.set("connect-protocol-version", "1");
      if (timeoutMs !== undefined) h.set("connect-timeout-ms", String(Math.ceil(timeoutMs)));
    }
    if (!h.has("user-agent")) h.set("user-agent", userAgent);
    return h;
  };

  return {
    connection,
    unary<I extends DescMessage, O extends DescMessage>(
      method: DescMethodUnary<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeadersInit | undefined,
      input: MessageInitShape<I>,
      contextValues?: ContextValues,
    ): Promise<UnaryResponse<I, O>> {
      const timeout = deadlineOf(timeoutMs);
      if (interceptors === undefined) {
        return unaryCall(connection, method, signal, timeout, header, input, codec);
      }
      return runUnaryInterceptors<I, O>(
        interceptors,
        {
          stream: false,
          service: method.parent,
          method,
          requestMethod: "POST",
          url: createMethodUrl(options.baseUrl, method),
          header: interceptorHeader(timeout, header, true),
          contextValues: contextValues ?? createContextValues(),
          message: input,
        },
        signal,
        (req) => unaryCall(connection, req.method, req.signal, timeout, req.header, req.message, codec),
      );
    },
    stream<I extends DescMessage, O extends DescMessage>(
      method: DescMethodStreaming<I, O>,
      signal: AbortSignal | undefined,
      timeoutMs: number | undefined,
      header: HeadersInit | undefined,
      input: AsyncIterable<MessageInitShape<I>>,
      contextValues?: ContextValues,
    ): Promise<StreamResponse<I, O>> {
      const timeout = deadlineOf(timeoutMs);
      if (interceptors === undefined) {
        return streamingCall(protocol, connection, method, signal, timeout, header, input, codec);
      }
      return runStreamInterceptors<I, O>(
        interceptors,
        {
          stream: true,
          service: method.parent,
          method,
          requestMethod: "POST",
          url: createMethodUrl(options.baseUrl, method),
          header: interceptorHeader(timeout, header, false),
          contextValues: contextValues ?? createContextValues(),
          message: input,
        },
        signal,
        (req) => streamingCall(protocol, connection, req.method, req.signal, timeout, req.header, req.message, codec),
      );
    },
  };
}

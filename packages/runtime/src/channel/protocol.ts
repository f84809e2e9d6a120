// Builds the per-endpoint Connect transport for the protocol a channel speaks, on the Sluice fast
// path (default) or on connect-node's transports.
import type { Transport, Interceptor } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { GuardedSessionManager } from "../transport/guarded-session-manager.js";
import { createSluiceConnection, type EndpointConnection, type SluiceConnectionOptions } from "../transport/endpoint-connection.js";
import { createSluiceTransport } from "../transport/sluice-transport.js";
import type { FlowControlOptions } from "../transport/flow-control.js";
import { defaultReadMaxBytes } from "../transport/codec.js";
import type { BinaryReadOptions, BinaryWriteOptions, JsonReadOptions, JsonWriteOptions } from "@bufbuild/protobuf";

/** Wire protocols a channel can speak; all run over HTTP/2 (h2c, or h2 over TLS). */
export type Protocol = "grpc" | "connect" | "grpc-web";

/** The accepted values of {@link Protocol}, for validation messages. */
export const protocols: readonly Protocol[] = ["grpc", "connect", "grpc-web"];

/** Client transport implementations: the Sluice fast path on node:http2, or connect-node's. */
export type TransportImplementation = "sluice" | "connect-node";

/** The accepted values of {@link TransportImplementation}, for validation messages. */
export const transportImplementations: readonly TransportImplementation[] = ["sluice", "connect-node"];

/** Options passed through to every endpoint's Connect transport. */
export interface EndpointTransportOptions {
  /**
   * `"sluice"` (default): the fast path for gRPC and Connect unary with binary protobuf and no
   * compression; anything else uses connect-node. `"connect-node"`: always connect-node's
   * transports. See docs/TRANSPORTS.md.
   */
  readonly implementation?: TransportImplementation;
  /** Connect interceptors run on every call, after the endpoint is picked. */
  readonly interceptors?: Interceptor[];
  /** Use the binary (default) or JSON wire format (Connect and gRPC-Web protocols only). */
  readonly useBinaryFormat?: boolean;
  readonly binaryOptions?: Partial<BinaryReadOptions & BinaryWriteOptions>;
  readonly jsonOptions?: Partial<JsonReadOptions & JsonWriteOptions>;
  /** Largest message accepted from the server, in bytes (default 4 MiB, as on the server); a larger one fails with RESOURCE_EXHAUSTED. */
  readonly readMaxBytes?: number;
  /** Largest message sent to the server, in bytes. */
  readonly writeMaxBytes?: number;
  readonly sendCompression?: Compression;
  readonly acceptCompression?: Compression[];
  readonly compressMinBytes?: number;
  /**
   * Receive windows of each endpoint's HTTP/2 session, on both implementations (default 1 MiB per
   * stream, 2 MiB per connection; see docs/TRANSPORTS.md).
   */
  readonly flowControl?: FlowControlOptions;
}

/** @private */
export function createEndpointTransport(
  protocol: Protocol,
  baseUrl: string,
  sessionManager: Http2SessionManager,
  options: EndpointTransportOptions,
): Transport {
  const { implementation: _implementation, flowControl: _flowControl, ...connectOptions } = options;
  const common = {
    ...connectOptions,
    readMaxBytes: connectOptions.readMaxBytes ?? defaultReadMaxBytes,
    baseUrl,
    httpVersion: "2" as const,
    sessionManager,
  };
  switch (protocol) {
    case "grpc":
      return createGrpcTransport(common);
    case "connect":
      return createConnectTransport(common);
    case "grpc-web":
      return createGrpcWebTransport(common);
  }
}

/** An endpoint's connection (its state, for the subchannel) and its transport. @private */
export interface EndpointLink {
  readonly connection: EndpointConnection;
  readonly transport: Transport;
}

/** Whether the fast path speaks `protocol` with `options` itself. @private */
export function usesFastPath(protocol: Protocol, options: EndpointTransportOptions): boolean {
  return (
    options.implementation !== "connect-node" &&
    protocol !== "grpc-web" &&
    options.useBinaryFormat !== false &&
    options.sendCompression === undefined &&
    (options.acceptCompression === undefined || options.acceptCompression.length === 0)
  );
}

/** Creates an endpoint's connection and transport with the implementation the options choose. @private */
export function createEndpointLink(
  protocol: Protocol,
  baseUrl: string,
  keepalive: SluiceConnectionOptions,
  options: EndpointTransportOptions,
): EndpointLink {
  if (usesFastPath(protocol, options)) {
    const connection = createSluiceConnection(baseUrl, { ...keepalive, flowControl: options.flowControl });
    const transport = createSluiceTransport({
      baseUrl,
      protocol: protocol === "connect" ? "connect" : "grpc",
      connection,
      interceptors: options.interceptors,
      binaryOptions: options.binaryOptions,
      readMaxBytes: options.readMaxBytes,
      writeMaxBytes: options.writeMaxBytes,
    });
    return { connection, transport };
  }
  const manager = new GuardedSessionManager(baseUrl, keepalive, keepalive.http2SessionOptions, options.flowControl);
  return { connection: manager, transport: createEndpointTransport(protocol, baseUrl, manager, options) };
}

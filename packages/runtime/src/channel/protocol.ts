// Builds the per-endpoint Connect transport for the protocol a channel speaks.
import type { Transport, Interceptor } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  type Http2SessionManager,
} from "@connectrpc/connect-node";
import type { BinaryReadOptions, BinaryWriteOptions, JsonReadOptions, JsonWriteOptions } from "@bufbuild/protobuf";

/** Wire protocols a channel can speak; all run over HTTP/2. */
export type Protocol = "grpc" | "connect" | "grpc-web";

/** The accepted values of {@link Protocol}, for validation messages. */
export const protocols: readonly Protocol[] = ["grpc", "connect", "grpc-web"];

/** Options passed through to every endpoint's Connect transport. */
export interface EndpointTransportOptions {
  /** Connect interceptors run on every call, after the endpoint is picked. */
  readonly interceptors?: Interceptor[];
  /** Use the binary (default) or JSON wire format (Connect and gRPC-Web protocols only). */
  readonly useBinaryFormat?: boolean;
  readonly binaryOptions?: Partial<BinaryReadOptions & BinaryWriteOptions>;
  readonly jsonOptions?: Partial<JsonReadOptions & JsonWriteOptions>;
  /** Largest message accepted from the server, in bytes. */
  readonly readMaxBytes?: number;
  /** Largest message sent to the server, in bytes. */
  readonly writeMaxBytes?: number;
  readonly sendCompression?: Compression;
  readonly acceptCompression?: Compression[];
  readonly compressMinBytes?: number;
}

/** @private */
export function createEndpointTransport(
  protocol: Protocol,
  baseUrl: string,
  sessionManager: Http2SessionManager,
  options: EndpointTransportOptions,
): Transport {
  const common = { ...options, baseUrl, httpVersion: "2" as const, sessionManager };
  switch (protocol) {
    case "grpc":
      return createGrpcTransport(common);
    case "connect":
      return createConnectTransport(common);
    case "grpc-web":
      return createGrpcWebTransport(common);
  }
}

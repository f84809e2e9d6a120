// Request headers of the fast path: one precomputed object per method and protocol when the call
// adds nothing (node copies the object it is given), a fresh one with the caller's headers and
// timeout otherwise. Protocol headers always win over caller headers, as in Connect.
import type { OutgoingHttpHeaders } from "node:http2";
import type { DescMethod } from "@bufbuild/protobuf";
import { appendHeadersInit, encodeGrpcTimeout, type HeadersInit } from "./node-headers.js";

/** Wire protocols the fast path speaks itself. @private */
export type FastProtocol = "grpc" | "connect";

/** The user agent the fast path sends unless the caller set one. @private */
export const userAgent = "sluice/0.1 (connect-es/2.1.1 compatible)";

const cache = {
  grpc: new WeakMap<DescMethod, OutgoingHttpHeaders>(),
  connect: new WeakMap<DescMethod, OutgoingHttpHeaders>(),
  connectStream: new WeakMap<DescMethod, OutgoingHttpHeaders>(),
};

/** `/package.Service/Method`. @private */
export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

function protocolHeaders(protocol: FastProtocol, unary: boolean): OutgoingHttpHeaders {
  if (protocol === "grpc") return { "content-type": "application/grpc+proto", te: "trailers" };
  return unary
    ? { "content-type": "application/proto", "connect-protocol-version": "1" }
    : { "content-type": "application/connect+proto", "connect-protocol-version": "1" };
}

/**
 * The HTTP/2 request headers of one call. The returned object may be shared between calls: treat
 * it as read-only (node's `session.request` copies it).
 * @private
 */
export function requestHeaders(
  protocol: FastProtocol,
  method: DescMethod,
  timeoutMs: number | undefined,
  header: HeadersInit | undefined,
): OutgoingHttpHeaders {
  const unary = method.methodKind === "unary";
  if (timeoutMs === undefined && header === undefined) {
    const map = protocol === "grpc" ? cache.grpc : unary ? cache.connect : cache.connectStream;
    let cached = map.get(method);
    if (cached === undefined) {
      cached = { ":method": "POST", ":path": methodPath(method), ...protocolHeaders(protocol, unary), "user-agent": userAgent };
      map.set(method, cached);
    }
    return cached;
  }
  const h: OutgoingHttpHeaders = { ":method": "POST", ":path": methodPath(method) };
  appendHeadersInit(h, header);
  Object.assign(h, protocolHeaders(protocol, unary));
  if (h["user-agent"] === undefined) h["user-agent"] = userAgent;
  if (timeoutMs !== undefined) {
    if (protocol === "grpc") h["grpc-timeout"] = encodeGrpcTimeout(timeoutMs);
    else h["connect-timeout-ms"] = String(Math.max(0, Math.ceil(timeoutMs)));
  }
  return h;
}

// Call credentials: headers (e.g. a bearer token) a channel adds to every call attempt, from a sync
// or async provider; a provider that fails fails the call with UNAUTHENTICATED before anything is sent.
import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { EndpointTransportOptions, TransportImplementation } from "./protocol.js";

/** What a credentials provider learns of the call it signs. */
export interface CallCredentialsContext {
  readonly method: DescMethod;
  /** The request URL, e.g. `https://inventory.internal:8443/inventory.v1.InventoryService/GetItem`. */
  readonly url: string;
  /** Aborted when the call is cancelled or times out. */
  readonly signal: AbortSignal;
}

/** Request headers a provider returns: a `Headers`, a record, or `[name, value]` pairs. */
export type CredentialHeaders = Headers | Record<string, string> | ReadonlyArray<readonly [string, string]>;

/**
 * Returns the headers that authenticate one call attempt (sync or async). Throwing or rejecting
 * fails the call with UNAUTHENTICATED; the request is never sent without them.
 */
export type CallCredentials = (call: CallCredentialsContext) => CredentialHeaders | Promise<CredentialHeaders>;

/** The interceptor that adds `credentials`' headers to each attempt. @private */
export function credentialsInterceptor(credentials: CallCredentials): Interceptor {
  return (next) => async (req) => {
    let headers: CredentialHeaders;
    try {
      headers = await credentials({ method: req.method, url: req.url, signal: req.signal });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConnectError(`call credentials failed: ${reason}`, Code.Unauthenticated, undefined, undefined, error);
    }
    const entries = headers instanceof Headers ? [...headers.entries()] : Array.isArray(headers) ? headers : Object.entries(headers);
    for (const [name, value] of entries as Iterable<readonly [string, string]>) req.header.set(name, value);
    return next(req);
  };
}

/** `transport` with the credentials interceptor first among the per-attempt interceptors. @private */
export function withCredentials(
  transport: EndpointTransportOptions | TransportImplementation,
  credentials: CallCredentials | undefined,
): EndpointTransportOptions | TransportImplementation {
  if (credentials === undefined) return transport;
  const options = typeof transport === "string" ? { implementation: transport } : transport;
  return { ...options, interceptors: [credentialsInterceptor(credentials), ...(options.interceptors ?? [])] };
}

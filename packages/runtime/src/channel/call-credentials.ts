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

/** A provider's failure as the call sees it. */
function credentialsFailed(error: unknown): ConnectError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ConnectError(`call credentials failed: ${reason}`, Code.Unauthenticated, undefined, undefined, error);
}

/**
 * Runs `credentials` for one call: their headers, synchronously when the provider answers so
 * (no promise is spent), else a promise; a throw or rejection becomes UNAUTHENTICATED. @private
 */
export function produceCredentials(credentials: CallCredentials, call: CallCredentialsContext): CredentialHeaders | Promise<CredentialHeaders> {
  let headers: CredentialHeaders | Promise<CredentialHeaders>;
  try {
    headers = credentials(call);
  } catch (error) {
    throw credentialsFailed(error);
  }
  if (headers instanceof Promise) {
    return headers.catch((error: unknown) => {
      throw credentialsFailed(error);
    });
  }
  return headers;
}

/** The `[name, value]` pairs of a provider's headers, in order. @private */
export function credentialEntries(headers: CredentialHeaders): Iterable<readonly [string, string]> {
  return headers instanceof Headers ? headers.entries() : Array.isArray(headers) ? (headers as ReadonlyArray<readonly [string, string]>) : Object.entries(headers);
}

/** The interceptor that adds `credentials`' headers to each attempt. @private */
export function credentialsInterceptor(credentials: CallCredentials): Interceptor {
  return (next) => async (req) => {
    const headers = await produceCredentials(credentials, { method: req.method, url: req.url, signal: req.signal });
    for (const [name, value] of credentialEntries(headers)) req.header.set(name, value);
    return next(req);
  };
}

const registered = new WeakMap<object, CallCredentials>();

/**
 * Records that calls over `transport` carry `credentials` (a channel records its own), so that
 * layers above it, such as the response cache, can key on them. @private
 */
export function attachCallCredentials(transport: object, credentials: CallCredentials | undefined): void {
  if (credentials !== undefined) registered.set(transport, credentials);
}

/** The call credentials that calls over `transport` carry, if any (see `attachCallCredentials`). @private */
export function callCredentialsOf(transport: object): CallCredentials | undefined {
  return registered.get(transport);
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

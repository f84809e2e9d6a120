// A server interceptor that authenticates every call (a bearer token, the mTLS peer, any request
// header) and puts the caller's identity into the handler's context values.
import { Code, ConnectError, createContextKey, type ContextKey, type Interceptor } from "@connectrpc/connect";
import type { DescMethod } from "@bufbuild/protobuf";
import { tlsPeerKey, type TlsPeer } from "./tls/tls-peer.js";

/** What an authenticator sees of a call. */
export interface AuthRequest {
  readonly method: DescMethod;
  readonly header: Headers;
  /** The bearer token of the `authorization` header, if there is one. */
  readonly bearerToken: string | undefined;
  /** The verified client certificate on a mutual-TLS connection. */
  readonly peer: TlsPeer | undefined;
}

/** Options of {@link createAuthInterceptor}. */
export interface AuthInterceptorOptions<Identity> {
  /**
   * Returns the caller's identity, or undefined (or throws) to refuse the call with UNAUTHENTICATED.
   * A thrown ConnectError (e.g. PERMISSION_DENIED) is passed on as is.
   */
  readonly authenticate: (request: AuthRequest) => Identity | undefined | Promise<Identity | undefined>;
  /** Where the identity goes (default {@link callerIdentityKey}). */
  readonly key?: ContextKey<Identity | undefined>;
  /** Methods that need no credentials, as `package.Service/Method` or `package.Service/*` (e.g. the health service). */
  readonly allowUnauthenticated?: readonly string[];
}

/** Default context key of the identity {@link createAuthInterceptor} establishes. */
export const callerIdentityKey = createContextKey<unknown>(undefined, { description: "sluice caller identity" });

/** The bearer token of an `authorization: Bearer …` header. */
export function bearerTokenOf(header: Headers): string | undefined {
  const value = header.get("authorization");
  const match = value === null ? null : /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match === null ? undefined : match[1];
}

/**
 * Creates a server interceptor that refuses unauthenticated calls with UNAUTHENTICATED and gives
 * handlers the identity in `context.values.get(key)`. Pass it in `serve({ interceptors })`.
 *
 * @example
 * ```ts
 * const auth = createAuthInterceptor({ authenticate: ({ bearerToken }) => tokens.get(bearerToken ?? "") });
 * await serve({ routes, tls: { key, cert }, interceptors: [auth] });
 * // in a handler: const who = context.values.get(callerIdentityKey);
 * ```
 */
export function createAuthInterceptor<Identity>(options: AuthInterceptorOptions<Identity>): Interceptor {
  if (typeof options.authenticate !== "function") throw new Error("authenticate: must be a function returning the caller's identity");
  const key = (options.key ?? callerIdentityKey) as ContextKey<Identity | undefined>;
  const open = new Set(options.allowUnauthenticated ?? []);
  const isOpen = (method: DescMethod): boolean =>
    open.size > 0 && (open.has(`${method.parent.typeName}/${method.name}`) || open.has(`${method.parent.typeName}/*`));
  return (next) => async (req) => {
    if (isOpen(req.method)) return next(req);
    let identity: Identity | undefined;
    try {
      identity = await options.authenticate({
        method: req.method,
        header: req.header,
        bearerToken: bearerTokenOf(req.header),
        peer: req.contextValues.get(tlsPeerKey),
      });
    } catch (error) {
      if (error instanceof ConnectError) throw error;
      throw new ConnectError("unauthenticated", Code.Unauthenticated, undefined, undefined, error);
    }
    if (identity === undefined) throw new ConnectError("unauthenticated", Code.Unauthenticated);
    req.contextValues.set(key, identity);
    return next(req);
  };
}

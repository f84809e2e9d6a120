// Bearer-token call credentials that fetch a token, reuse it, and fetch the next one shortly before
// it expires (one fetch at a time), with an injected clock.
import type { CallCredentials } from "./call-credentials.js";

/** A token and when it expires. */
export interface ExpiringToken {
  readonly token: string;
  /** Expiry, in the clock's milliseconds (default clock: `Date.now`); `Infinity` for a token that never expires. */
  readonly expiresAtMs: number;
}

/** Options of {@link createTokenCredentials}. */
export interface TokenCredentialsOptions {
  /** Gets a fresh token (e.g. from an OAuth token endpoint). */
  readonly fetchToken: () => ExpiringToken | Promise<ExpiringToken>;
  /** Fetch a new token this long before the current one expires (default 60 s). */
  readonly refreshBeforeMs?: number;
  /** Header to set (default `authorization`). */
  readonly header?: string;
  /** Prefix of the header value (default `"Bearer "`). */
  readonly prefix?: string;
  /** Clock in milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Call credentials sending `authorization: Bearer <token>`. The token is fetched on the first call
 * and again once a call finds it within `refreshBeforeMs` of expiry; while the refresh runs, calls
 * keep the current token if it has not expired. A fetch that fails when no valid token is left
 * fails those calls with UNAUTHENTICATED. While the token is valid the headers are returned
 * synchronously (the same frozen object for every call), so a call signed by them costs no promise.
 *
 * @example
 * ```ts
 * const credentials = createTokenCredentials({ fetchToken: async () => ({ token: await login(), expiresAtMs: Date.now() + 3_600_000 }) });
 * const channel = createChannel({ target, tls: { ca }, credentials });
 * ```
 */
export function createTokenCredentials(options: TokenCredentialsOptions): CallCredentials {
  if (typeof options.fetchToken !== "function") throw new Error("fetchToken: must be a function returning { token, expiresAtMs }");
  const refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
  if (!(Number.isFinite(refreshBeforeMs) && refreshBeforeMs >= 0)) {
    throw new Error(`refreshBeforeMs: must be a finite number >= 0, got ${String(options.refreshBeforeMs)}`);
  }
  const header = options.header ?? "authorization";
  const prefix = options.prefix ?? "Bearer ";
  const now = options.now ?? Date.now;
  let current: ExpiringToken | undefined;
  let refreshing: Promise<ExpiringToken> | undefined;

  const refresh = (): Promise<ExpiringToken> =>
    (refreshing ??= Promise.resolve()
      .then(options.fetchToken)
      .then(
        (token) => {
          if (typeof token?.token !== "string" || typeof token.expiresAtMs !== "number" || Number.isNaN(token.expiresAtMs)) {
            throw new Error("fetchToken returned no { token, expiresAtMs }");
          }
          current = token;
          refreshing = undefined;
          return token;
        },
        (error: unknown) => {
          refreshing = undefined;
          throw error;
        },
      ));

  // The headers of the current token, made once per token: most calls reuse them as they are.
  let signed: { readonly token: ExpiringToken; readonly headers: Readonly<Record<string, string>> } | undefined;
  const headersOf = (token: ExpiringToken): Readonly<Record<string, string>> => {
    if (signed?.token !== token) signed = { token, headers: Object.freeze({ [header]: `${prefix}${token.token}` }) };
    return signed.headers;
  };

  return () => {
    const at = now();
    const token = current;
    if (token === undefined || at >= token.expiresAtMs) return refresh().then(headersOf);
    if (at >= token.expiresAtMs - refreshBeforeMs) {
      // Still valid: use it, and refresh in the background (a failure is retried by the next call).
      refresh().catch(() => {});
    }
    return headersOf(token);
  };
}

// The TLS settings of a channel (trust, client certificate for mutual TLS, server name, handshake
// timeout) and their validation.
import { isPemInput, type PemInput } from "../internals/pem.js";


/** TLS settings of {@link createChannel}; `tls: {}` (or `true`) verifies servers against node's root CAs. */
export interface ChannelTlsOptions {
  /** CAs that sign the servers' certificates (default: node's root store). */
  readonly ca?: PemInput;
  /** Client certificate chain (PEM), for servers that ask for one (mutual TLS). */
  readonly cert?: PemInput;
  /** Private key of `cert` (PEM). */
  readonly key?: PemInput;
  /** Passphrase of an encrypted `key`. */
  readonly passphrase?: string;
  /**
   * Name sent in SNI and checked against the server's certificate. Default: the host name of the
   * target (for `dns:///inventory.internal:8443`, `inventory.internal`, whatever addresses it
   * resolves to); for an IP address, the certificate must name that IP.
   */
  readonly servername?: string;
  /** Check the server's certificate (default true). `false` is for tests only: it gives up all protection against impostors. */
  readonly rejectUnauthorized?: boolean;
  /** Fail a connection whose TCP connect and TLS handshake take longer (default 10 s). */
  readonly handshakeTimeoutMs?: number;
}

/** Throws when a channel's `tls` or `authority` option is malformed, naming the field. @private */
export function validateChannelTls(tls: ChannelTlsOptions | boolean | undefined, authority: string | undefined): void {
  if (authority !== undefined && (typeof authority !== "string" || !/^[^\s/?#@]+$/.test(authority))) {
    throw new Error(`authority: must be a host[:port] such as "inventory.internal:8443", got ${JSON.stringify(authority)}`);
  }
  if (tls === undefined || typeof tls === "boolean") return;
  if (tls === null || typeof tls !== "object") {
    throw new Error("tls: must be true or an object { ca?, cert?, key?, servername?, rejectUnauthorized?, handshakeTimeoutMs? }");
  }
  for (const field of ["ca", "cert", "key"] as const) {
    if (tls[field] !== undefined && !isPemInput(tls[field])) {
      throw new Error(`tls.${field}: must be a non-empty PEM string or Buffer (or a list of them)`);
    }
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new Error("tls.cert and tls.key: give both (a client certificate and its key) or neither");
  }
  if (tls.servername !== undefined && (typeof tls.servername !== "string" || tls.servername === "")) {
    throw new Error("tls.servername: must be a non-empty host name");
  }
  if (tls.rejectUnauthorized !== undefined && typeof tls.rejectUnauthorized !== "boolean") {
    throw new Error("tls.rejectUnauthorized: must be a boolean");
  }
  const timeout = tls.handshakeTimeoutMs;
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) {
    throw new Error(`tls.handshakeTimeoutMs: must be a finite number > 0, got ${String(timeout)}`);
  }
}

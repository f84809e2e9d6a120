// The TLS settings of serve(): key pair, client-certificate checks (mutual TLS), handshake timeout;
// their validation, and the node tls options they become.
import { isPemInput, type PemInput } from "../../internals/pem.js";
import type * as tls from "node:tls";


/** TLS settings of {@link serve}. */
export interface ServerTlsOptions {
  /** The server's private key (PEM). */
  readonly key: PemInput;
  /** The server's certificate chain (PEM), leaf first. */
  readonly cert: PemInput;
  /** Passphrase of an encrypted `key`. */
  readonly passphrase?: string;
  /** CAs trusted for client certificates (mutual TLS); default: node's root store. */
  readonly ca?: PemInput;
  /**
   * Ask each client for a certificate (mutual TLS). Unless `rejectUnauthorized` is false, a client
   * without a certificate signed by `ca`, or with an expired one, is refused at the handshake.
   */
  readonly requestCert?: boolean;
  /** With `requestCert`: refuse clients whose certificate does not verify (default true). */
  readonly rejectUnauthorized?: boolean;
  /** Lowest TLS version accepted (default `"TLSv1.2"`, as HTTP/2 requires). */
  readonly minVersion?: tls.SecureVersion;
}

/** The settings of a certificate rotation: what `server.setSecureContext` takes. */
export type SecureContextInput = Pick<ServerTlsOptions, "key" | "cert" | "passphrase" | "ca">;

const secureVersions: readonly tls.SecureVersion[] = ["TLSv1.2", "TLSv1.3"];

/** Throws when `input` lacks a key or certificate or has a malformed field, naming it. @private */
export function validateSecureContextInput(input: SecureContextInput, field: string): void {
  if (input === null || typeof input !== "object") {
    throw new Error(`${field}: must be an object { key, cert, ca?, passphrase? } of PEM strings or Buffers`);
  }
  for (const name of ["key", "cert"] as const) {
    if (!isPemInput(input[name])) throw new Error(`${field}.${name}: must be a non-empty PEM string or Buffer (or a list of them)`);
  }
  if (input.ca !== undefined && !isPemInput(input.ca)) {
    throw new Error(`${field}.ca: must be a non-empty PEM string or Buffer (or a list of them)`);
  }
  if (input.passphrase !== undefined && typeof input.passphrase !== "string") {
    throw new Error(`${field}.passphrase: must be a string`);
  }
}

/** Throws when `options` is not a valid {@link ServerTlsOptions}, naming the field. @private */
export function validateServerTls(options: ServerTlsOptions): void {
  validateSecureContextInput(options, "tls");
  for (const name of ["requestCert", "rejectUnauthorized"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "boolean") throw new Error(`tls.${name}: must be a boolean`);
  }
  if (options.requestCert === true && options.ca === undefined && options.rejectUnauthorized !== false) {
    throw new Error("tls.ca: required with tls.requestCert (the CA that signs client certificates), or set tls.rejectUnauthorized: false");
  }
  if (options.minVersion !== undefined && !secureVersions.includes(options.minVersion)) {
    throw new Error(`tls.minVersion: unknown version "${String(options.minVersion)}"; accepted: ${secureVersions.join(", ")}`);
  }
}

/** The secure-context part of node's tls options. @private */
export function secureContextOptions(input: SecureContextInput): tls.SecureContextOptions {
  return {
    key: input.key as tls.SecureContextOptions["key"],
    cert: input.cert as tls.SecureContextOptions["cert"],
    ca: input.ca as tls.SecureContextOptions["ca"],
    passphrase: input.passphrase,
  };
}

/** Node's `tls.createServer` options for `options`, offering `alpn` and dropping handshakes slower than `handshakeTimeoutMs`. @private */
export function tlsServerOptions(options: ServerTlsOptions, alpn: readonly string[], handshakeTimeoutMs: number): tls.TlsOptions {
  return {
    ...secureContextOptions(options),
    requestCert: options.requestCert === true,
    rejectUnauthorized: options.requestCert === true && options.rejectUnauthorized !== false,
    minVersion: options.minVersion ?? "TLSv1.2",
    ALPNProtocols: [...alpn],
    handshakeTimeout: handshakeTimeoutMs,
  };
}

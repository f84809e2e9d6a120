// How a subchannel reaches its endpoint: the base URL whose authority becomes `:authority`, and,
// for TLS or an overridden authority, a createConnection that opens TCP (and TLS with SNI and
// certificate checks against the logical host name) to the resolved address itself.
import type * as http2 from "node:http2";
import * as net from "node:net";
import * as tls from "node:tls";
import type { Duplex } from "node:stream";
import type { ChannelTlsOptions } from "./channel-tls.js";
import type { Endpoint } from "./resolver.js";
import { formatAddress, isIpAddress, parseDnsTarget, parseHostPort, parseTargetUri } from "./target.js";

/** A channel's transport security: TLS settings (`true`: TLS with node's root CAs) and an `:authority` override. */
export interface EndpointSecurity {
  readonly tls?: ChannelTlsOptions | boolean;
  readonly authority?: string;
  /** The host name of the channel's target (see {@link targetHostName}). */
  readonly targetHost?: string;
}

/**
 * The logical host name of a channel target: the name of a `dns:` target (`inventory.internal`
 * for `dns:///inventory.internal:8443`); undefined for IP addresses, SRV names (each record names
 * its own host), static lists (each address is its own name) and other schemes. @private
 */
export function targetHostName(target: string): string | undefined {
  try {
    const uri = parseTargetUri(target);
    if (uri.scheme !== "dns") return undefined;
    const parsed = parseDnsTarget(uri);
    return parsed.srv || isIpAddress(parsed.host) ? undefined : parsed.host.replace(/\.$/, "");
  } catch {
    return undefined;
  }
}

/** What a subchannel connects with. @private */
export interface EndpointDial {
  /** `https://` or `http://` plus the `:authority` of every request. */
  readonly baseUrl: string;
  /** Options for `http2.connect`: a createConnection opening the socket. */
  readonly sessionOptions: http2.ClientSessionOptions | undefined;
  /** The most recent failure to connect (TCP or TLS), worded for the endpoint; undefined after a success. */
  lastError(): Error | undefined;
}

const defaultHandshakeTimeoutMs = 10_000;

/**
 * The dial of `endpoint`. Without TLS or an authority override it is plain `http://address`. With
 * TLS the server name (SNI and certificate check) is `tls.servername`, else the endpoint's logical
 * host name (its `hostname`, its SRV record's target, or the `dns:` target's name), else the
 * address's host; `:authority` is that name and the port unless `authority` is given. The socket always goes to
 * the resolved address. Never falls back to plaintext. @private
 */
export function createEndpointDial(endpoint: Endpoint, security: EndpointSecurity): EndpointDial {
  const tlsOptions = security.tls === true ? {} : security.tls === false ? undefined : security.tls;
  const { host, port } = parseHostPort(endpoint.address, endpoint.address);
  if (tlsOptions === undefined && security.authority === undefined) return plainDial(endpoint.address, host, port);
  const srvTarget = endpoint.metadata?.["srv.target"]?.replace(/\.$/, "");
  const name = endpoint.hostname ?? srvTarget ?? security.targetHost ?? host;
  const authority = security.authority ?? formatAddress(name, port);
  const servername = tlsOptions?.servername ?? (isIpAddress(name) ? undefined : name);
  const timeoutMs = tlsOptions?.handshakeTimeoutMs ?? defaultHandshakeTimeoutMs;
  let lastError: Error | undefined;
  /** The newest socket: only its failures are reported (an old session's socket may fail later). */
  let latest: Duplex | undefined;
  const record = (socket: Duplex, error: Error | undefined): void => {
    if (socket === latest) lastError = error;
  };

  const open = (): Duplex => {
    const socket =
      tlsOptions === undefined
        ? net.connect({ host, port })
        : tls.connect({
            host,
            port,
            servername,
            ca: tlsOptions.ca as tls.ConnectionOptions["ca"],
            cert: tlsOptions.cert as tls.ConnectionOptions["cert"],
            key: tlsOptions.key as tls.ConnectionOptions["key"],
            passphrase: tlsOptions.passphrase,
            rejectUnauthorized: tlsOptions.rejectUnauthorized ?? true,
            ALPNProtocols: ["h2"],
          });
    latest = socket;
    const what = tlsOptions === undefined ? `connection to ${endpoint.address}` : `TLS connection to ${endpoint.address} as "${servername ?? host}"`;
    let established = false;
    const timer = setTimeout(() => {
      socket.destroy(Object.assign(new Error(`${what} failed: no handshake within ${timeoutMs} ms`), { code: "ETIMEDOUT" }));
    }, timeoutMs);
    timer.unref();
    // Registered before node's HTTP/2 session listens, so the session reports the worded error.
    socket.on("error", (error: Error) => {
      clearTimeout(timer);
      if (!error.message.startsWith(what)) error.message = `${what} failed: ${error.message}${hintFor(error, established)}`;
      record(socket, error);
      // Node's HTTP/2 session does not always end a TLS socket that failed after the handshake
      // (e.g. on the alert a server sends when it refuses the client's certificate): end it here.
      if (!socket.destroyed) socket.destroy(error);
    });
    socket.once("close", () => clearTimeout(timer));
    if (socket instanceof tls.TLSSocket) {
      // A TLS 1.3 server that refuses the client's certificate may just close the connection right
      // after the handshake; one that accepted it has sent session tickets by then (node, Go and
      // OpenSSL servers do).
      let accepted = false;
      socket.once("session", () => (accepted = true));
      socket.once("end", () => {
        if (!accepted && established && socket.getProtocol() === "TLSv1.3") {
          record(
            socket,
            new Error(`${what} failed: the server closed the connection after the TLS handshake (did it refuse this client's certificate? check tls.cert and tls.key)`),
          );
        }
      });
    }
    socket.once(tlsOptions === undefined ? "connect" : "secureConnect", () => {
      clearTimeout(timer);
      established = true;
      if (socket instanceof tls.TLSSocket && socket.alpnProtocol !== "h2") {
        socket.destroy(new Error(`the server did not agree to HTTP/2 (ALPN h2; it chose ${String(socket.alpnProtocol)})`));
        return;
      }
      record(socket, undefined);
    });
    return socket;
  };
  return {
    baseUrl: `${tlsOptions === undefined ? "http" : "https"}://${authority}`,
    sessionOptions: { createConnection: open },
    lastError: () => lastError,
  };
}

/** A hint for the usual causes of a failed TLS connection. */
function hintFor(error: Error, established: boolean): string {
  const code = String((error as { code?: unknown }).code ?? "");
  const text = `${code} ${error.message}`;
  if (/WRONG_VERSION_NUMBER|packet length too long|record layer failure/i.test(text)) {
    return " (the server does not speak TLS on this port; is it an h2c server?)";
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return " (set tls.servername to a name the certificate lists, or fix the target's host name)";
  if (/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) return " (is the server's CA in tls.ca?)";
  if (/CERTIFICATE_REQUIRED|alert bad certificate|alert unknown ca|certificate expired/i.test(text)) {
    return " (the server refused this client's certificate, or wants one: check tls.cert and tls.key)";
  }
  if (!established && code === "ECONNRESET") return " (the server closed the connection during the handshake)";
  return "";
}

/**
 * The plaintext dial with the address as `:authority`: the socket node would open itself, watched
 * for the one failure a stream cannot explain — a server that closes the connection without
 * sending a byte, which is what a TLS port does with an HTTP/2 preface in plaintext.
 */
function plainDial(address: string, host: string, port: number): EndpointDial {
  let lastError: Error | undefined;
  let latest: net.Socket | undefined;
  const open = (): Duplex => {
    const socket = net.connect({ host, port });
    latest = socket;
    const record = (error: Error | undefined): void => {
      if (socket === latest) lastError = error;
    };
    socket.on("error", (error: Error) => {
      record(error);
      if (!socket.destroyed) socket.destroy(error);
    });
    socket.once("connect", () => record(undefined));
    socket.once("close", (hadError: boolean) => {
      if (!hadError && socket.bytesRead === 0 && socket.bytesWritten > 0) {
        record(new Error(`the server at ${address} closed the connection without a word: does it expect TLS? (set tls on the channel)`));
      }
    });
    return socket;
  };
  return { baseUrl: `http://${address}`, sessionOptions: { createConnection: open }, lastError: () => lastError };
}

// The verified TLS peer of a call (the client certificate of mutual TLS) as handlers read it:
// `context.values.get(tlsPeerKey)`, filled by serve() on TLS connections on both server paths.
import { createContextKey, createContextValues, type ContextValues } from "@connectrpc/connect";
import type { PeerCertificate, TLSSocket } from "node:tls";

/** The client certificate a TLS connection presented. */
export interface TlsPeer {
  /** Whether the certificate verified against the server's `tls.ca` (always true when unverified clients are refused). */
  readonly authorized: boolean;
  /** Subject fields, e.g. `{ CN: "billing", O: "Example" }`. */
  readonly subject: Readonly<Record<string, string | string[]>>;
  /** Issuer fields. */
  readonly issuer: Readonly<Record<string, string | string[]>>;
  /** Subject alternative names as node reports them, e.g. `["DNS:billing.internal", "URI:spiffe://example/billing"]`. */
  readonly subjectAltNames: readonly string[];
  /** SHA-256 fingerprint, `AA:BB:…`. */
  readonly fingerprint256: string;
  readonly serialNumber: string;
  readonly validFrom: string;
  readonly validTo: string;
  /** The certificate, DER-encoded. */
  readonly raw: Buffer;
}

/**
 * Context key of the calling client's certificate: a {@link TlsPeer} on TLS connections where the
 * client presented one (mutual TLS), `undefined` otherwise.
 *
 * @example
 * ```ts
 * const peer = context.values.get(tlsPeerKey);
 * if (peer?.subject.CN !== "billing") throw new ConnectError("billing only", Code.PermissionDenied);
 * ```
 */
export const tlsPeerKey = createContextKey<TlsPeer | undefined>(undefined, { description: "sluice TLS peer" });

/** Something that reaches a TLS socket: the socket itself or an HTTP/2 session's socket proxy. */
type PeerSource = Pick<TLSSocket, "getPeerCertificate"> & { readonly authorized?: boolean; readonly encrypted?: boolean };

/** Peers already read, per connection (the certificate does not change within one). */
const peers = new WeakMap<object, TlsPeer | null>();

/** The peer of a connection, or undefined when it is not TLS or the client sent no certificate. @private */
export function peerOf(socket: object | undefined): TlsPeer | undefined {
  if (socket === undefined) return undefined;
  const known = peers.get(socket);
  if (known !== undefined) return known ?? undefined;
  let peer: TlsPeer | null = null;
  const source = socket as Partial<PeerSource>;
  if (source.encrypted === true && typeof source.getPeerCertificate === "function") {
    const cert: PeerCertificate = source.getPeerCertificate(false);
    if (cert !== null && typeof cert === "object" && cert.raw !== undefined) peer = toPeer(cert, source.authorized === true);
  }
  peers.set(socket, peer);
  return peer ?? undefined;
}

function toPeer(cert: PeerCertificate, authorized: boolean): TlsPeer {
  return {
    authorized,
    subject: { ...cert.subject },
    issuer: { ...cert.issuer },
    subjectAltNames: cert.subjectaltname === undefined ? [] : cert.subjectaltname.split(", "),
    fingerprint256: cert.fingerprint256,
    serialNumber: cert.serialNumber,
    validFrom: cert.valid_from,
    validTo: cert.valid_to,
    raw: cert.raw,
  };
}

/** Fresh context values holding the peer of `socket`, for a call on it. @private */
export function peerContextValues(socket: object | undefined): ContextValues {
  const values = createContextValues();
  const peer = peerOf(socket);
  if (peer !== undefined) values.set(tlsPeerKey, peer);
  return values;
}

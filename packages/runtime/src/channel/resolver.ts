// The resolver contract: turns a target into a changing list of endpoints and pushes each list
// (or an error) to the channel.

/** One backend address as a resolver reports it. */
export interface Endpoint {
  /** `host:port` (IPv6 hosts in brackets), the endpoint's identity. */
  readonly address: string;
  /**
   * The logical host name `address` was resolved from (the `dns:` target's name, an SRV record's
   * target), for the TLS server name and the default `:authority`; absent when `address` is itself the name.
   */
  readonly hostname?: string;
  /** Relative weight for weighted pickers (> 0; 1 when not given). */
  readonly weight?: number;
  /** Free-form attributes (zone, version, …) from the resolver. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Where a resolver sends what it learns. */
export interface ResolverListener {
  /** A complete new endpoint list (replaces the previous one). */
  onEndpoints(endpoints: readonly Endpoint[]): void;
  /** Resolution failed; the channel keeps the last good list. */
  onError(error: Error): void;
}

/** A running resolution of one target. */
export interface Resolver {
  /** Starts resolving; the first list (or error) arrives asynchronously. */
  start(listener: ResolverListener): void;
  /** Asks for a fresh resolution soon (for example after a connection failure); rate-limited. */
  refresh(): void;
  /** Stops resolving and frees timers and sockets. */
  close(): void;
}
